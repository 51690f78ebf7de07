"""Stack slice -> components -> outputs. The only place that wires components together.

Declaration order follows sorted topology keys, so reordering the file changes nothing. Every
logical name comes from a topology key; `renamedFrom` becomes an alias.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.cluster import Cluster, ClusterArgs
from components.egress import Egress, EgressArgs, EgressNamespace
from components.ingress_policies import IngressNamespace, IngressPolicies
from langsmith_dataplane.component_args import (
    addon_switches,
    allow_rule,
    cluster_exposure,
    eks_args,
    existing_cluster,
)
from langsmith_dataplane.program_wiring import (
    ApiKeyLookup,
    ProgramOptions,
    addon_needs,
    build_agent_server,
    build_listener,
    health_check,
    listener_ingress,
    listener_stores,
    server_ingress,
    server_routes,
    server_stores,
)
from langsmith_dataplane.stack_slice import StackSlice

__all__ = ["ApiKeyLookup", "ProgramOptions", "build_stack"]


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
                eks=eks_args(cluster_plan.spec.eks) if cluster_plan.spec.eks else None,
                existing=existing_cluster(cluster_plan.spec),
                exposure=cluster_exposure(cluster_plan.spec),
                addons=addon_switches(cluster_plan.spec),
                protect=slice_.protect,
                skip_await=options.skip_await,
                operator_chart=options.chart if cluster_plan.listeners else None,
                addon_needs=addon_needs(cluster_plan),
                server_routes=server_routes(cluster_plan),
                addon_charts=options.addon_charts,
            ),
        )
        providers: list[pulumi.ProviderResource] = [cluster.provider]
        if cluster.network is not None:
            providers.append(cluster.network.provider)
        if cluster.kubeconfig is not None:
            kubeconfigs[cluster_plan.name] = cluster.kubeconfig
        targets: list[EgressNamespace] = []
        ingress: list[IngressNamespace] = []
        keda = cluster_plan.spec.addons.keda and addon_needs(cluster_plan).keda
        for plan in cluster_plan.listeners:
            listener = build_listener(
                plan, cluster_plan, cluster, slice_, api_key, options, providers
            )
            stores = listener_stores(listener, cluster)
            renamed = plan.spec.renamed_from
            health = health_check(plan, cluster_plan, cluster)
            if not plan.release_in_watched_namespace:
                targets.append(
                    EgressNamespace(
                        key=f"{plan.key}-release",
                        namespace=listener.release_namespace,
                        roles=frozenset({"release"}),
                        listener=plan.release_name,
                        stores=stores,
                        previous_key=f"{renamed}-release" if renamed else None,
                        health_check=health,
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
                        health_check=health if shared else None,
                    )
                )
            ingress += listener_ingress(plan, listener, cluster, keda)
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
            server = build_agent_server(
                server_plan, cluster_plan, cluster, slice_, api_key, options, providers
            )
            targets.append(
                EgressNamespace(
                    key=f"{server_plan.key}-server",
                    namespace=server.namespace,
                    roles=frozenset({"agents"}),
                    listener=server_plan.release_name,
                    stores=server_stores(server, cluster),
                    license_cidrs=slice_.beacon_cidrs,
                    owner_kind="agent_server",
                )
            )
            ingress.append(server_ingress(server_plan, server, cluster))
            spec = server_plan.spec
            servers_out[server_plan.key] = {
                "cluster": cluster_plan.name,
                "workspace": server_plan.workspace_key,
                "namespace": server.namespace,
                "releaseName": server_plan.release_name,
                "url": f"{'https' if spec.tls else 'http'}://{spec.hostname}"
                if spec.hostname
                else None,
                "traceEndpoint": slice_.control_plane.smith_backend_url,
            }
        Egress(
            f"{cluster_plan.name}-egress",
            EgressArgs(
                namespaces=targets,
                control_plane_cidrs=slice_.control_plane.egress_cidrs,
                api_server=cluster.api_server,
                allow=[allow_rule(rule) for rule in slice_.egress_allow],
                node_security_group_id=(
                    cluster.network.node_security_group_id if cluster.network else None
                ),
                aws_provider=cluster.network.provider if cluster.network else None,
            ),
            opts=pulumi.ResourceOptions(providers=providers, protect=slice_.protect or None),
        )
        IngressPolicies(
            f"{cluster_plan.name}-ingress",
            ingress,
            opts=pulumi.ResourceOptions(providers=providers, protect=slice_.protect or None),
        )
    outputs: dict[str, Any] = {"stack": slice_.stack, "listeners": listeners_out}
    if servers_out:
        outputs["agentServers"] = servers_out
    if kubeconfigs:
        outputs["kubeconfigs"] = pulumi.Output.secret(kubeconfigs)
    return outputs
