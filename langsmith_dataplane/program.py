"""Stack slice -> components -> outputs. The only place that wires components together.

Declaration order follows sorted topology keys, so reordering the file changes nothing. Every
logical name comes from a topology key; `renamedFrom` becomes an alias.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from components.agent_server import AgentServer, AgentServerArgs
from components.cluster import Cluster, ClusterArgs
from components.egress import Destination, Egress, EgressArgs, EgressNamespace
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


def _kubeconfig_path(plan: ClusterPlan) -> str | None:
    existing = plan.spec.existing
    if existing is None or existing.kubeconfig is None:
        return None
    return os.path.expanduser(existing.kubeconfig)


def _quota(plan: ListenerPlan) -> QuotaArgs | None:
    quota = plan.spec.resource_quota
    return QuotaArgs(quota.cpu, quota.memory, quota.pods) if quota else None


AGENT_SERVER_PORT = 8000  # the Agent Server container's port (the operator's Services target it)


def _stores(listener: Listener, cluster: Cluster) -> tuple[Destination, ...]:
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


def _exposure(cluster_plan: ClusterPlan, cluster: Cluster) -> Exposure:
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


def _health_check(
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


def _build_listener(
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
        exposure=_exposure(cluster_plan, cluster),
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


def _build_agent_server(
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
        exposure=_exposure(cluster_plan, cluster),
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


def _server_stores(server: AgentServer, cluster: Cluster) -> tuple[Destination, ...]:
    return _store_destinations(
        (("postgres", server.postgres), ("redis", server.redis)), server.namespace, cluster
    )


def build_stack(
    slice_: StackSlice, api_key: ApiKeyLookup, options: ProgramOptions
) -> dict[str, Any]:
    """Declare every resource of the stack; return the stack outputs."""
    listeners_out: dict[str, Any] = {}
    servers_out: dict[str, Any] = {}
    kubeconfigs: dict[str, Any] = {}
    for cluster_plan in slice_.clusters:
        cluster = Cluster(
            cluster_plan.name,
            ClusterArgs(
                name=cluster_plan.name,
                spec=cluster_plan.spec,
                protect=slice_.protect,
                skip_await=options.skip_await,
                kubeconfig_path=_kubeconfig_path(cluster_plan),
                operator_chart=options.chart if cluster_plan.listeners else None,
            ),
        )
        providers: list[pulumi.ProviderResource] = [cluster.provider]
        if cluster.network is not None:
            providers.append(cluster.network.provider)
        if cluster.kubeconfig is not None:
            kubeconfigs[cluster_plan.name] = cluster.kubeconfig
        targets: list[EgressNamespace] = []
        for plan in cluster_plan.listeners:
            listener = _build_listener(
                plan, cluster_plan, cluster, slice_, api_key, options, providers
            )
            stores = _stores(listener, cluster)
            renamed = plan.spec.renamed_from
            health_check = _health_check(plan, cluster_plan, cluster)
            if not plan.release_in_watched_namespace:
                targets.append(
                    EgressNamespace(
                        key=f"{plan.key}-release",
                        namespace=listener.release_namespace,
                        roles=frozenset({"release"}),
                        listener=plan.release_name,
                        stores=stores,
                        previous_key=f"{renamed}-release" if renamed else None,
                        health_check=health_check,
                    )
                )
            for ns in sorted(plan.watch_namespaces):
                shared = ns == plan.release_namespace
                targets.append(
                    EgressNamespace(
                        key=f"{plan.key}-ns-{ns}",
                        namespace=listener.namespaces[ns],
                        roles=frozenset({"agents", "release"} if shared else {"agents"}),
                        listener=plan.release_name,
                        stores=stores,
                        previous_key=f"{renamed}-ns-{ns}" if renamed else None,
                        health_check=health_check if shared else None,
                    )
                )
            listeners_out[plan.key] = {
                "cluster": cluster_plan.name,
                "workspace": plan.workspace_key,
                "listenerId": listener.listener_id,
                "computeId": plan.compute_id,
                "releaseName": plan.release_name,
                "releaseNamespace": listener.release_namespace,
                "watchNamespaces": list(plan.watch_namespaces),
                "healthCheck": bool(cluster_plan.spec.hostname),
                "postgresEndpoint": (
                    pulumi.Output.format("{0}:{1}", listener.postgres.host, listener.postgres.port)
                    if listener.postgres is not None
                    else None
                ),
                "redisEndpoint": pulumi.Output.format(
                    "{0}:{1}", listener.redis.host, listener.redis.port
                ),
                "deploymentUris": listener.deployment_uris,
            }
        for server_plan in cluster_plan.agent_servers:
            server = _build_agent_server(
                server_plan, cluster_plan, cluster, slice_, api_key, options, providers
            )
            targets.append(
                EgressNamespace(
                    key=f"{server_plan.key}-server",
                    namespace=server.namespace,
                    roles=frozenset({"agents"}),
                    listener=server_plan.release_name,
                    stores=_server_stores(server, cluster),
                    license_cidrs=slice_.beacon_cidrs,
                )
            )
            servers_out[server_plan.key] = {
                "cluster": cluster_plan.name,
                "workspace": server_plan.workspace_key,
                "namespace": server.namespace,
                "releaseName": server_plan.release_name,
                "url": f"https://{server_plan.spec.hostname}"
                if server_plan.spec.hostname
                else None,
                "traceEndpoint": slice_.control_plane.smith_backend_url,
            }
        Egress(
            f"{cluster_plan.name}-egress",
            EgressArgs(
                namespaces=targets,
                control_plane_cidrs=slice_.control_plane.egress_cidrs,
                api_server=cluster.api_server,
                allow=slice_.egress_allow,
                node_security_group_id=(
                    cluster.network.node_security_group_id if cluster.network else None
                ),
                aws_provider=cluster.network.provider if cluster.network else None,
            ),
            opts=pulumi.ResourceOptions(providers=providers, protect=slice_.protect or None),
        )
    outputs: dict[str, Any] = {"stack": slice_.stack, "listeners": listeners_out}
    if servers_out:
        outputs["agentServers"] = servers_out
    if kubeconfigs:
        outputs["kubeconfigs"] = pulumi.Output.secret(kubeconfigs)
    return outputs
