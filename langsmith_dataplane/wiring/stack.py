"""A stack slice -> every component of the stack -> the stack outputs.

Declaration order follows sorted topology keys, so reordering the file changes nothing. Every
logical name comes from a topology key through `naming`; `renamedFrom` becomes an alias.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.egress import Egress, EgressArgs, EgressNamespace
from components.ingress_policies import IngressNamespace, IngressPolicies
from langsmith_dataplane.naming import egress_component, ingress_component
from langsmith_dataplane.stack_slice import StackSlice
from langsmith_dataplane.wiring.agent_servers import (
    build_agent_server,
    server_egress,
    server_ingress,
    server_output,
)
from langsmith_dataplane.wiring.cloud_deployments import build_cloud_deployment, cloud_output
from langsmith_dataplane.wiring.clusters import addon_needs, build_cluster
from langsmith_dataplane.wiring.component_args import allow_rule
from langsmith_dataplane.wiring.listeners import (
    build_listener,
    listener_egress,
    listener_ingress,
    listener_output,
)
from langsmith_dataplane.wiring.options import ApiKeyLookup, ProgramOptions
from langsmith_dataplane.wiring.workspaces import WorkspaceWiring


def build_stack(
    slice_: StackSlice, api_key: ApiKeyLookup, options: ProgramOptions
) -> dict[str, Any]:
    """Declare every resource of the stack; return the stack outputs."""
    workspaces = WorkspaceWiring(slice_, api_key)
    listeners_out: dict[str, Any] = {}
    servers_out: dict[str, Any] = {}
    kubeconfigs: dict[str, Any] = {}
    for cluster_plan in slice_.clusters:
        cluster = build_cluster(cluster_plan, slice_, options)
        providers: list[pulumi.ProviderResource] = [cluster.provider]
        if cluster.network is not None:
            providers.append(cluster.network.provider)
        if cluster.kubeconfig is not None:
            kubeconfigs[cluster_plan.name] = cluster.kubeconfig
        egress: list[EgressNamespace] = []
        ingress: list[IngressNamespace] = []
        keda = cluster_plan.spec.addons.keda and addon_needs(cluster_plan).keda
        for plan in cluster_plan.listeners:
            credentials = workspaces.credentials(plan.workspace_key, "listener", plan.key)
            listener = build_listener(
                plan, cluster_plan, cluster, slice_, credentials, api_key, options, providers
            )
            egress += listener_egress(plan, listener, cluster_plan, cluster)
            ingress += listener_ingress(plan, listener, cluster, keda)
            listeners_out[plan.key] = listener_output(plan, listener, cluster_plan)
        for server_plan in cluster_plan.agent_servers:
            credentials = workspaces.credentials(
                server_plan.workspace_key, "agent-server", server_plan.key
            )
            server = build_agent_server(
                server_plan,
                cluster_plan,
                cluster,
                slice_,
                credentials,
                api_key,
                options,
                providers,
            )
            egress.append(server_egress(server_plan, server, cluster, slice_))
            ingress.append(server_ingress(server_plan, server, cluster))
            servers_out[server_plan.key] = server_output(server_plan, server, cluster_plan, slice_)
        Egress(
            egress_component(cluster_plan.name),
            EgressArgs(
                namespaces=egress,
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
            ingress_component(cluster_plan.name),
            ingress,
            opts=pulumi.ResourceOptions(providers=providers, protect=slice_.protect or None),
        )
    cloud_out = {
        target.key: cloud_output(
            target, build_cloud_deployment(target, slice_, workspaces, api_key, options)
        )
        for target in slice_.cloud_deployments
    }
    outputs: dict[str, Any] = {"stack": slice_.stack, "listeners": listeners_out}
    if cloud_out:
        outputs["cloudDeployments"] = cloud_out
    if servers_out:
        outputs["agentServers"] = servers_out
    if workspaces_out := workspaces.outputs():
        outputs["workspaces"] = workspaces_out
    if kubeconfigs:
        outputs["kubeconfigs"] = pulumi.Output.secret(kubeconfigs)
    return outputs
