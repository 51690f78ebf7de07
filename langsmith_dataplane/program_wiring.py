"""From stack-slice plans to component arguments: listeners, their deployments, standalone
Agent Servers, and where their stores are for the egress policies. `program.py` wires these
into the stack; everything here is a pure function of the plan and the cluster component."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from components.agent_server import AgentServer, AgentServerArgs
from components.cluster import Cluster
from components.egress import Destination
from components.listener import AgentDeploymentInput, Exposure, Listener, ListenerArgs
from components.namespace import QuotaArgs
from langsmith_dataplane.stack_slice import (
    AgentServerPlan,
    ClusterPlan,
    ListenerPlan,
    StackSlice,
)
from langsmith_dataplane.versions import AGENT_SERVER_CHART, LISTENER_CHART, ChartRef

ApiKeyLookup = Callable[[str], pulumi.Input[str]]


@dataclass(frozen=True)
class ProgramOptions:
    """`chart` lets tests and air-gapped sites point at another copy of the listener chart;
    `skip_await` skips readiness waits (clusters without nodes, e.g. a bare API server);
    `wait_for_revisions` waits for each deployment's revision to reach DEPLOYED."""

    chart: ChartRef = LISTENER_CHART
    skip_await: bool = False
    wait_for_revisions: bool = True
    agent_server_chart: ChartRef = AGENT_SERVER_CHART


def _quota(plan: ListenerPlan) -> QuotaArgs | None:
    quota = plan.spec.resource_quota
    return QuotaArgs(quota.cpu, quota.memory, quota.pods) if quota else None


AGENT_SERVER_PORT = 8000  # the Agent Server container's port (the operator's Services target it)


def listener_stores(listener: Listener, cluster: Cluster) -> tuple[Destination, ...]:
    """Where the listener's Postgres and Redis are, for the egress policies."""
    return _store_destinations(
        (("postgres", listener.postgres), ("redis", listener.redis)),
        listener.release_namespace,
        cluster,
    )


def _store_destinations(
    stores: Any, namespace: pulumi.Input[str], cluster: Cluster
) -> tuple[Destination, ...]:
    out = []
    for store_name, store in stores:
        if store is None:
            continue
        if store.pod_labels is not None:
            out.append(
                Destination(
                    store_name, store.port, namespace=namespace, pod_labels=store.pod_labels
                )
            )
        elif cluster.network is not None:
            cidrs = pulumi.Output.from_input(cluster.network.vpc_cidr).apply(lambda c: [c])
            out.append(Destination(store_name, store.port, cidrs=cidrs))
    return tuple(out)


def exposure(cluster_plan: ClusterPlan, cluster: Cluster) -> Exposure:
    spec, target = cluster_plan.spec, cluster.exposure
    return Exposure(
        kind=spec.ingress,
        hostname=spec.hostname or "",
        gateway_name=target.gateway_name,
        gateway_namespace=target.gateway_namespace,
        ingress_class=target.ingress_class,
        tls=spec.tls is not None,
        tls_secret=(spec.tls.secret_name or "") if spec.tls else "",
    )


def health_check(
    plan: ListenerPlan, cluster_plan: ClusterPlan, cluster: Cluster
) -> pulumi.Output[list[dict[str, Any]]] | None:
    """Egress for the listener's GET /ok through the hostname, and nothing else.

    The hostname resolves to the exposure's load balancer; inside the cluster, Service address
    translation hands the connection to the proxy pods (or straight to the Agent Server pods),
    which is what NetworkPolicies see. On EKS an internal load balancer's addresses are in the
    VPC. No hostname: the health check is off and nothing is allowed.
    """
    if not cluster_plan.spec.hostname:
        return None
    target = cluster.exposure
    rules: list[Any] = []
    if target.proxy_namespace:
        rules.append(
            {
                "to": [_namespace_peer(target.proxy_namespace)],
                "ports": [{"protocol": "TCP", "port": p} for p in target.proxy_ports],
            }
        )
    rules.append(
        {
            "to": [_namespace_peer(ns) for ns in plan.watch_namespaces],
            "ports": [{"protocol": "TCP", "port": AGENT_SERVER_PORT}],
        }
    )
    if cluster.network is not None:
        rules.append(
            pulumi.Output.from_input(cluster.network.vpc_cidr).apply(
                lambda cidr: {
                    "to": [{"ipBlock": {"cidr": cidr}}],
                    "ports": [{"protocol": "TCP", "port": p} for p in (80, 443)],
                }
            )
        )
    return pulumi.Output.all(*rules)


def _namespace_peer(namespace: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def _agent_deployments(plan: ListenerPlan, secret: ApiKeyLookup) -> dict[str, AgentDeploymentInput]:
    """The deployments with an `image`: created through the control plane API."""
    out = {}
    for name, deployment in plan.spec.deployments.items():
        if deployment.image is None:
            continue
        resources = deployment.resources
        out[name] = AgentDeploymentInput(
            namespace=deployment.namespace or plan.watch_namespaces[0],
            image=deployment.image,
            env=dict(deployment.env),
            secret_env={env: secret(key) for env, key in deployment.secret_env.items()},
            resource_spec=resources.model_dump(exclude_none=True) if resources else None,
            custom_url=deployment.custom_url,
        )
    return out


def build_listener(
    plan: ListenerPlan,
    cluster_plan: ClusterPlan,
    cluster: Cluster,
    slice_: StackSlice,
    api_key: ApiKeyLookup,
    options: ProgramOptions,
    providers: list[pulumi.ProviderResource],
) -> Listener:
    spec = plan.spec
    args = ListenerArgs(
        release_name=plan.release_name,
        release_namespace=plan.release_namespace,
        workspace_key=plan.workspace_key,
        workspace_id=plan.workspace.id,
        api_key=api_key(plan.workspace.api_key),
        cluster=cluster_plan.name,
        compute_id=plan.compute_id,
        watch_namespaces=plan.watch_namespaces,
        control_plane=slice_.control_plane,
        host_queue=plan.host_queue,
        exposure=exposure(cluster_plan, cluster),
        postgres=spec.postgres,
        redis=spec.redis,
        deployments={name: d.redis_db for name, d in spec.deployments.items()},
        agent_deployments=_agent_deployments(plan, api_key),
        wait_for_revisions=options.wait_for_revisions,
        listener_id=spec.listener_id,
        quota=_quota(plan),
        network=cluster.network,
        chart=options.chart,
        protect=slice_.protect,
        skip_await=options.skip_await,
    )
    aliases = [pulumi.Alias(name=spec.renamed_from)] if spec.renamed_from else None
    # In a protect stack every child inherits `protect`: Pulumi deletes unprotected resources
    # of a removed listener (its release, Secrets, registration) even when a protected sibling
    # stops the update, so protecting only the stateful ones would half-remove the listener.
    return Listener(
        plan.key,
        args,
        opts=pulumi.ResourceOptions(
            providers=providers, aliases=aliases, protect=slice_.protect or None
        ),
    )


def build_agent_server(
    plan: AgentServerPlan,
    cluster_plan: ClusterPlan,
    cluster: Cluster,
    slice_: StackSlice,
    secret: ApiKeyLookup,
    options: ProgramOptions,
    providers: list[pulumi.ProviderResource],
) -> AgentServer:
    spec = plan.spec
    args = AgentServerArgs(
        release_name=plan.release_name,
        spec=spec,
        workspace_key=plan.workspace_key,
        api_key=secret(plan.workspace.api_key),
        license_key=secret(spec.license_key),
        secret_env={env: secret(key) for env, key in spec.secret_env.items()},
        # Traces go to the LangSmith API of the region (or the self-hosted one).
        trace_endpoint=slice_.control_plane.smith_backend_url,
        exposure=exposure(cluster_plan, cluster),
        network=cluster.network,
        chart=options.agent_server_chart,
        protect=slice_.protect,
        skip_await=options.skip_await,
    )
    return AgentServer(
        plan.key,
        args,
        opts=pulumi.ResourceOptions(providers=providers, protect=slice_.protect or None),
    )


def server_stores(server: AgentServer, cluster: Cluster) -> tuple[Destination, ...]:
    return _store_destinations(
        (("postgres", server.postgres), ("redis", server.redis)), server.namespace, cluster
    )
