"""A cluster target -> the `Cluster` component: its add-ons, its exposure, its routes."""

from __future__ import annotations

from components.cluster import Cluster, ClusterArgs
from components.cluster_addons import AddonNeeds, ServerRoute
from components.exposure import Exposure
from langsmith_dataplane.stack_slice import ClusterTarget, StackSlice
from langsmith_dataplane.topology.schema import TlsSpec
from langsmith_dataplane.wiring.component_args import (
    addon_switches,
    cluster_exposure,
    eks_args,
    existing_cluster,
)
from langsmith_dataplane.wiring.options import ProgramOptions


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


def build_cluster(
    cluster_plan: ClusterTarget, slice_: StackSlice, options: ProgramOptions
) -> Cluster:
    """The cluster (new on EKS, or existing), its add-ons and where traffic enters it."""
    spec = cluster_plan.spec
    return Cluster(
        cluster_plan.name,
        ClusterArgs(
            name=cluster_plan.name,
            eks=eks_args(spec.eks) if spec.eks else None,
            existing=existing_cluster(spec),
            exposure=cluster_exposure(spec),
            addons=addon_switches(spec),
            protect=slice_.protect,
            skip_await=options.skip_await,
            operator_chart=options.chart if cluster_plan.listeners else None,
            addon_needs=addon_needs(cluster_plan),
            server_routes=server_routes(cluster_plan),
            addon_charts=options.addon_charts,
        ),
    )


def exposure_through(
    cluster_plan: ClusterTarget,
    cluster: Cluster,
    hostname: str | None,
    tls: TlsSpec | None,
    section_name: str = "",
) -> Exposure:
    """A hostname (and its certificate) served through the cluster's exposure: the listeners'
    shared hostname, or a standalone server's own."""
    target = cluster.exposure
    return Exposure(
        kind=cluster_plan.spec.ingress,
        hostname=hostname or "",
        gateway_name=target.gateway_name,
        gateway_namespace=target.gateway_namespace,
        ingress_class=target.ingress_class,
        tls=tls is not None,
        tls_secret=(tls.secret_name or "") if tls else "",
        section_name=section_name,
        stack_gateway=target.stack_gateway,
    )
