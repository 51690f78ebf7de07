"""A standalone server target -> the `AgentServer` component and its namespace's policies."""

from __future__ import annotations

from typing import Any

import pulumi

from components.agent_server import AgentServer
from components.agent_server_args import AgentServerArgs
from components.cluster import Cluster
from components.egress import Destination, EgressNamespace
from components.exposure import Exposure
from components.ingress_policies import IngressNamespace
from langsmith_dataplane.naming import server_gateway_listener, server_policies_key
from langsmith_dataplane.sizing import server_pool_size
from langsmith_dataplane.stack_slice import AgentServerTarget, ClusterTarget, StackSlice
from langsmith_dataplane.wiring.clusters import exposure_through
from langsmith_dataplane.wiring.component_args import server_workload
from langsmith_dataplane.wiring.options import ApiKeyLookup, ProgramOptions
from langsmith_dataplane.wiring.stores import ANY_NAMESPACE, store_destinations
from langsmith_dataplane.wiring.workspaces import WorkloadCredentials


def server_exposure(
    plan: AgentServerTarget, cluster_plan: ClusterTarget, cluster: Cluster
) -> Exposure:
    """A standalone server's own hostname and certificate through the cluster's exposure: on
    the stack's Gateway, the listener the cluster made for it (`sectionName`)."""
    section = server_gateway_listener(plan.key) if cluster.exposure.stack_gateway else ""
    return exposure_through(cluster_plan, cluster, plan.spec.hostname, plan.spec.tls, section)


def build_agent_server(
    plan: AgentServerTarget,
    cluster_plan: ClusterTarget,
    cluster: Cluster,
    slice_: StackSlice,
    credentials: WorkloadCredentials,
    secret: ApiKeyLookup,
    options: ProgramOptions,
    providers: list[pulumi.ProviderResource],
) -> AgentServer:
    spec = plan.spec
    args = AgentServerArgs(
        release_name=plan.release_name,
        workload=server_workload(spec),
        workspace_key=plan.workspace_key,
        workspace_id=credentials.workspace_id,
        api_key=credentials.api_key,
        license_key=secret(spec.license_key),
        secret_env={env: secret(key) for env, key in spec.secret_env.items()},
        # Traces go to the LangSmith API of the region (or the self-hosted one).
        trace_endpoint=slice_.control_plane.trace_endpoint,
        exposure=server_exposure(plan, cluster_plan, cluster),
        pool_size=server_pool_size(spec),
        network=cluster.network,
        chart=options.agent_server_chart,
        protect=slice_.protect,
        skip_await=options.skip_await,
        cluster_access=cluster.access,
    )
    return AgentServer(
        plan.key,
        args,
        opts=pulumi.ResourceOptions(providers=providers, protect=slice_.protect or None),
    )


def server_ingress(
    plan: AgentServerTarget, server: AgentServer, cluster: Cluster
) -> IngressNamespace:
    """A standalone server's namespace: its pods from the proxies when it has a hostname."""
    callers = [cluster.exposure.proxy_namespace or ANY_NAMESPACE] if plan.spec.hostname else []
    return IngressNamespace(
        key=server_policies_key(plan.key),
        namespace=server.namespace,
        owner={"langsmith.com/agent-server": plan.release_name},
        agent_callers=callers,
    )


def server_stores(server: AgentServer, cluster: Cluster) -> tuple[Destination, ...]:
    return store_destinations(
        (("postgres", server.postgres), ("redis", server.redis)), server.namespace, cluster
    )


def server_egress(
    plan: AgentServerTarget, server: AgentServer, cluster: Cluster, slice_: StackSlice
) -> EgressNamespace:
    """Egress for a server's namespace: its stores, the control plane, the license beacon."""
    return EgressNamespace(
        key=server_policies_key(plan.key),
        namespace=server.namespace,
        roles=frozenset({"agents"}),
        listener=plan.release_name,
        stores=server_stores(server, cluster),
        license_cidrs=slice_.beacon_cidrs,
        owner_kind="agent_server",
    )


def server_output(
    plan: AgentServerTarget, server: AgentServer, cluster_plan: ClusterTarget, slice_: StackSlice
) -> dict[str, Any]:
    """The server's entry in the stack output `agentServers`."""
    spec = plan.spec
    return {
        "cluster": cluster_plan.name,
        "workspace": plan.workspace_key,
        "namespace": server.namespace,
        "releaseName": plan.release_name,
        "url": f"{'https' if spec.tls else 'http'}://{spec.hostname}" if spec.hostname else None,
        "traceEndpoint": slice_.control_plane.trace_endpoint,
    }
