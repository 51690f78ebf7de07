"""From stack-slice plans to component arguments: listeners, their deployments, standalone
Agent Servers, and where their stores are for the egress policies. `program.py` wires these
into the stack; everything here is a pure function of the plan and the cluster component."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.agent_server import AgentServer, AgentServerArgs
from components.cluster import Cluster
from components.cluster_addons import AddonCharts, AddonNeeds, ServerRoute
from components.egress import Destination
from components.exposure import Exposure
from components.ingress_policies import IngressNamespace, StoreAccess
from components.listener import AgentDeploymentInput, Listener, ListenerArgs
from components.namespace import QuotaArgs
from langsmith_dataplane.component_args import postgres_store, redis_store, server_workload
from langsmith_dataplane.naming import server_gateway_listener
from langsmith_dataplane.sizing import server_pool_size
from langsmith_dataplane.stack_slice import (
    AgentServerTarget,
    ClusterTarget,
    ListenerTarget,
    StackSlice,
)
from langsmith_dataplane.versions import AGENT_SERVER_CHART, LISTENER_CHART, ChartRef

ApiKeyLookup = Callable[[str], pulumi.Input[str]]


@dataclass(frozen=True)
class ProgramOptions:
    """`chart` lets tests and air-gapped sites point at another copy of the listener chart;
    `skip_await` skips readiness waits (clusters without nodes, e.g. a bare API server);
    `wait_for_revisions` waits for each deployment's revision to reach DEPLOYED;
    `addon_charts`: where the add-on charts come from (local copies when air-gapped)."""

    chart: ChartRef = LISTENER_CHART
    skip_await: bool = False
    wait_for_revisions: bool = True
    agent_server_chart: ChartRef = AGENT_SERVER_CHART
    addon_charts: AddonCharts = field(default_factory=AddonCharts)


def addon_needs(cluster_plan: ClusterTarget) -> AddonNeeds:
    """KEDA only for the listeners' operator; metrics-server for it and for server HPAs."""
    listeners = bool(cluster_plan.listeners)
    autoscaled = any(p.spec.autoscaling is not None for p in cluster_plan.agent_servers)
    return AddonNeeds(keda=listeners, metrics_server=listeners or autoscaled)


def server_routes(cluster_plan: ClusterTarget) -> tuple[ServerRoute, ...]:
    """The standalone servers with a hostname, for the cluster's exposure."""
    return tuple(
        ServerRoute(
            server=plan.key,
            hostname=plan.spec.hostname,
            namespace=plan.namespace,
            tls=plan.spec.tls is not None,
            tls_secret=(plan.spec.tls.secret_name or "") if plan.spec.tls else "",
        )
        for plan in cluster_plan.agent_servers
        if plan.spec.hostname
    )


def _quota(plan: ListenerTarget) -> QuotaArgs | None:
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


def exposure(cluster_plan: ClusterTarget, cluster: Cluster) -> Exposure:
    """The cluster's exposure as the listeners use it (its hostname and certificate)."""
    spec, target = cluster_plan.spec, cluster.exposure
    return Exposure(
        kind=spec.ingress,
        hostname=spec.hostname or "",
        gateway_name=target.gateway_name,
        gateway_namespace=target.gateway_namespace,
        ingress_class=target.ingress_class,
        tls=spec.tls is not None,
        tls_secret=(spec.tls.secret_name or "") if spec.tls else "",
        stack_gateway=target.stack_gateway,
    )


def server_exposure(
    plan: AgentServerTarget, cluster_plan: ClusterTarget, cluster: Cluster
) -> Exposure:
    """A standalone server's own hostname and certificate through the cluster's exposure: on
    the stack's Gateway, the listener the cluster made for it (`sectionName`)."""
    spec, target = plan.spec, cluster.exposure
    return Exposure(
        kind=cluster_plan.spec.ingress,
        hostname=spec.hostname or "",
        gateway_name=target.gateway_name,
        gateway_namespace=target.gateway_namespace,
        ingress_class=target.ingress_class,
        tls=spec.tls is not None,
        tls_secret=(spec.tls.secret_name or "") if spec.tls else "",
        section_name=server_gateway_listener(plan.key) if target.stack_gateway else "",
        stack_gateway=target.stack_gateway,
    )


def health_check(
    plan: ListenerTarget, cluster_plan: ClusterTarget, cluster: Cluster
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


def _agent_deployments(
    plan: ListenerTarget, secret: ApiKeyLookup
) -> dict[str, AgentDeploymentInput]:
    """The deployments with an `image`: created through the control plane API."""
    out = {}
    for name, deployment in plan.spec.deployments.items():
        if deployment.image is None:
            continue
        out[name] = AgentDeploymentInput(
            image=deployment.image,
            env=dict(deployment.env),
            secret_env={env: secret(key) for env, key in deployment.secret_env.items()},
            resource_spec=_resource_spec(deployment),
            custom_url=deployment.custom_url,
        )
    return out


def _resource_spec(deployment: Any) -> dict[str, Any] | None:
    """The API's `resource_spec`: replicas, CPU, memory and the image pull secrets."""
    spec = deployment.resources.model_dump(exclude_none=True) if deployment.resources else {}
    if deployment.image_pull_secrets:
        spec["image_pull_secrets"] = [{"name": n} for n in deployment.image_pull_secrets]
    return spec or None


def build_listener(
    plan: ListenerTarget,
    cluster_plan: ClusterTarget,
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
        compute_id=plan.compute_id,
        watch_namespaces=plan.watch_namespaces,
        control_plane=slice_.control_plane,
        host_queue=plan.host_queue,
        exposure=exposure(cluster_plan, cluster),
        postgres=postgres_store(spec.postgres),
        redis=redis_store(spec.redis),
        deployments={name: d.redis_db for name, d in spec.deployments.items()},
        deployment_namespaces={
            name: d.namespace or plan.watch_namespaces[0] for name, d in spec.deployments.items()
        },
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
    plan: AgentServerTarget,
    cluster_plan: ClusterTarget,
    cluster: Cluster,
    slice_: StackSlice,
    secret: ApiKeyLookup,
    options: ProgramOptions,
    providers: list[pulumi.ProviderResource],
) -> AgentServer:
    spec = plan.spec
    args = AgentServerArgs(
        release_name=plan.release_name,
        workload=server_workload(spec),
        workspace_key=plan.workspace_key,
        workspace_id=plan.workspace.id,
        api_key=secret(plan.workspace.api_key),
        license_key=secret(spec.license_key),
        secret_env={env: secret(key) for env, key in spec.secret_env.items()},
        # Traces go to the LangSmith API of the region (or the self-hosted one).
        trace_endpoint=slice_.control_plane.smith_backend_url,
        exposure=server_exposure(plan, cluster_plan, cluster),
        pool_size=server_pool_size(spec),
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


ANY_NAMESPACE = ""  # no `kubernetes.io/metadata.name` to match: every namespace


def _store_access(stores: Any, clients: list[pulumi.Input[str]]) -> tuple[StoreAccess, ...]:
    """In-cluster stores (pods with labels) and who connects to them; managed ones have none."""
    return tuple(
        StoreAccess(store_name, store.pod_labels, store.port, clients)
        for store_name, store in stores
        if store is not None and store.pod_labels is not None
    )


def listener_ingress(
    plan: ListenerTarget, listener: Listener, cluster: Cluster, keda: bool
) -> list[IngressNamespace]:
    """Ingress for a listener's namespaces: its stores from its deployments' namespaces (and
    KEDA), its Agent Servers from the exposure's proxies and its own release namespace."""
    owner = {"langsmith.com/listener": plan.release_name}
    renamed = plan.spec.renamed_from
    proxies = [cluster.exposure.proxy_namespace or ANY_NAMESPACE]
    clients = [listener.namespaces[ns] for ns in plan.watch_namespaces]
    if keda:
        clients.append("keda")
    stores = _store_access((("postgres", listener.postgres), ("redis", listener.redis)), clients)
    out = []
    if not plan.release_in_watched_namespace:
        out.append(
            IngressNamespace(
                key=f"{plan.key}-release",
                namespace=listener.release_namespace,
                owner=owner,
                stores=stores,
                previous_key=f"{renamed}-release" if renamed else None,
            )
        )
    for ns in plan.watch_namespaces:
        shared = ns == plan.release_namespace
        callers = proxies if shared else [*proxies, listener.release_namespace]
        out.append(
            IngressNamespace(
                key=f"{plan.key}-ns-{ns}",
                namespace=listener.namespaces[ns],
                owner=owner,
                agent_callers=callers,
                stores=stores if shared else (),
                previous_key=f"{renamed}-ns-{ns}" if renamed else None,
            )
        )
    return out


def server_ingress(
    plan: AgentServerTarget, server: AgentServer, cluster: Cluster
) -> IngressNamespace:
    """A standalone server's namespace: its pods from the proxies when it has a hostname."""
    callers = [cluster.exposure.proxy_namespace or ANY_NAMESPACE] if plan.spec.hostname else []
    return IngressNamespace(
        key=f"{plan.key}-server",
        namespace=server.namespace,
        owner={"langsmith.com/agent-server": plan.release_name},
        agent_callers=callers,
    )


def server_stores(server: AgentServer, cluster: Cluster) -> tuple[Destination, ...]:
    return _store_destinations(
        (("postgres", server.postgres), ("redis", server.redis)), server.namespace, cluster
    )
