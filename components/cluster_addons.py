"""What a data-plane cluster runs besides the listeners, declared under the `Cluster` component.

* KEDA and metrics-server (Helm releases pinned in `versions.py`).
* The exposure the listeners' operator routes Agent Servers through: Envoy Gateway with a
  GatewayClass and Gateway (`ingress: gateway` without `gateway:`), Traefik with IngressClass
  `traefik` (`ingress: ingress`), or the Gateway / Istio gateway the topology names.
* The operator's CRD (`lgps.apps.langchain.ai`), owned by the cluster rather than by a listener
  release: the chart marks it `helm.sh/resource-policy: keep`, so a release that created it
  leaves it behind when removed, and a second release with `operator.createCRDs` then fails on
  the existing object. Declaring it here, its spec rendered from the same chart, keeps the CRD
  independent of which listeners exist; every release sets `operator.createCRDs: false`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from components._common import base_labels, child_opts
from components.helm_history import ClusterAccess
from components.helm_release import guarded_release
from langsmith_dataplane.naming import DEFAULT_GATEWAY, server_gateway_listener
from langsmith_dataplane.versions import (
    GATEWAY_CHART,
    GATEWAY_CONTROLLER_NAME,
    GATEWAY_PROXY_NAMESPACE,
    GATEWAY_PROXY_PORTS,
    INGRESS_CHART,
    INGRESS_CLASS,
    INGRESS_NAMESPACE,
    INGRESS_PROXY_PORTS,
    KEDA_CHART,
    METRICS_SERVER_CHART,
    ChartRef,
)

# A gateway the topology names (Istio, or your own Gateway API implementation): its proxies'
# usual container ports.
EXTERNAL_PROXY_PORTS = (80, 443, 8080, 8443)


@dataclass(frozen=True)
class ExposureTarget:
    """Where Agent Server traffic enters the cluster: what the listener values and egress need.

    `proxy_namespace` and `proxy_ports` locate the proxy pods the listener's health check
    reaches (after Service address translation, which is what NetworkPolicies see).
    """

    gateway_name: str = ""
    gateway_namespace: str = ""
    ingress_class: str = ""
    proxy_namespace: str = ""
    proxy_ports: tuple[int, ...] = ()
    stack_gateway: bool = False


@dataclass(frozen=True)
class ClusterExposure:
    """How the topology asks the cluster to expose Agent Servers: plain Ingress, the stack's
    Gateway, or a gateway it names (`gateway_name`); HTTPS with `tls_secret_name`."""

    ingress: Literal["ingress", "gateway", "istio"] = "gateway"
    hostname: str | None = None
    gateway_name: str | None = None
    gateway_namespace: str | None = None
    ingress_class_name: str | None = None
    tls: bool = False
    tls_secret_name: str | None = None


@dataclass(frozen=True)
class AddonSwitches:
    """Which add-ons the topology lets the stack install (what it needs is `AddonNeeds`)."""

    keda: bool = True
    metrics_server: bool = True
    gateway_controller: bool = True
    ingress_controller: bool = True


@dataclass(frozen=True)
class ServerRoute:
    """A standalone server's hostname: the stack's Gateway gives it a listener of its own, with
    its certificate (a Secret in the server's namespace) when it serves HTTPS."""

    server: str
    hostname: str
    namespace: str
    tls: bool = False
    tls_secret: str = ""


@dataclass(frozen=True)
class AddonCharts:
    """Where the add-on charts come from: their pinned repositories, or local copies."""

    keda: ChartRef = KEDA_CHART
    metrics_server: ChartRef = METRICS_SERVER_CHART
    ingress: ChartRef = INGRESS_CHART
    gateway: ChartRef = GATEWAY_CHART


@dataclass(frozen=True)
class AddonNeeds:
    """Which add-ons the cluster's workloads need: KEDA for the listeners' operator,
    metrics-server for the operator's autoscaling and the servers' HPAs."""

    keda: bool = True
    metrics_server: bool = True


def helm_release(
    parent: pulumi.Resource,
    name: str,
    release: str,
    chart: ChartRef,
    namespace: str,
    *,
    provider: k8s.Provider,
    skip_await: bool,
    access: ClusterAccess | None,
    values: dict[str, Any] | None = None,
) -> k8s.helm.v3.Release:
    return guarded_release(
        parent,
        f"{name}-{release}",
        release=release,
        namespace=namespace,
        chart=chart,
        access=access,
        values=values or None,
        skip_await=skip_await,
        timeout=600,
        provider=provider,
        create_namespace=True,
    )


def install_addons(
    parent: pulumi.Resource,
    name: str,
    exposure: ClusterExposure,
    addons: AddonSwitches,
    *,
    provider: k8s.Provider,
    skip_await: bool,
    needs: AddonNeeds | None = None,
    server_routes: Sequence[ServerRoute] = (),
    charts: AddonCharts | None = None,
    access: ClusterAccess | None = None,
) -> ExposureTarget:
    """KEDA, metrics-server and the exposure; returns where Agent Server traffic enters."""
    charts = charts or AddonCharts()
    release = {
        "parent": parent,
        "provider": provider,
        "skip_await": skip_await,
        "access": access,
    }
    needs = needs or AddonNeeds()
    if addons.keda and needs.keda:
        helm_release(name=name, release="keda", chart=charts.keda, namespace="keda", **release)
    if addons.metrics_server and needs.metrics_server:
        helm_release(
            name=name,
            release="metrics-server",
            chart=charts.metrics_server,
            namespace="kube-system",
            **release,
        )
    if exposure.ingress == "ingress":
        return _ingress(name, exposure, addons, release, charts.ingress)
    if exposure.gateway_name is not None:  # the topology's own Gateway or Istio gateway
        gateway_namespace = exposure.gateway_namespace or ""
        return ExposureTarget(
            gateway_name=exposure.gateway_name,
            gateway_namespace=gateway_namespace,
            proxy_namespace=gateway_namespace,
            proxy_ports=EXTERNAL_PROXY_PORTS,
        )
    return _envoy_gateway(name, exposure, addons, release, server_routes, charts.gateway)


def _ingress(
    name: str,
    exposure: ClusterExposure,
    addons: AddonSwitches,
    release: dict[str, Any],
    chart: ChartRef,
) -> ExposureTarget:
    if not addons.ingress_controller:
        return ExposureTarget(ingress_class=exposure.ingress_class_name or "")
    helm_release(
        name=name,
        release="traefik",
        chart=chart,
        namespace=INGRESS_NAMESPACE,
        values={"ingressClass": {"enabled": True, "isDefaultClass": False, "name": INGRESS_CLASS}},
        **release,
    )
    return ExposureTarget(
        ingress_class=exposure.ingress_class_name or INGRESS_CLASS,
        proxy_namespace=INGRESS_NAMESPACE,
        proxy_ports=INGRESS_PROXY_PORTS,
    )


def _envoy_gateway(
    name: str,
    exposure: ClusterExposure,
    addons: AddonSwitches,
    release: dict[str, Any],
    server_routes: Sequence[ServerRoute],
    chart: ChartRef,
) -> ExposureTarget:
    """Envoy Gateway, a `langgraph` GatewayClass and Gateway; HTTPS when `tls` names a cert."""
    parent, provider = release["parent"], release["provider"]
    depends: list[pulumi.Resource] = []
    if addons.gateway_controller:
        depends.append(
            helm_release(
                name=name,
                release="envoy-gateway",
                chart=chart,
                namespace=GATEWAY_PROXY_NAMESPACE,
                **release,
            )
        )
    gateway_name, gateway_namespace = DEFAULT_GATEWAY
    k8s_opts = {"provider": provider, "depends_on": depends}
    gateway_class = k8s.apiextensions.CustomResource(
        f"{name}-gateway-class",
        api_version="gateway.networking.k8s.io/v1",
        kind="GatewayClass",
        metadata={"name": gateway_name, "labels": base_labels()},
        spec={"controllerName": GATEWAY_CONTROLLER_NAME},
        opts=child_opts(parent, **k8s_opts),
    )
    namespace = k8s.core.v1.Namespace(
        f"{name}-gateway-ns",
        metadata={"name": gateway_namespace, "labels": base_labels()},
        opts=child_opts(parent, provider=provider),
    )
    k8s.apiextensions.CustomResource(
        f"{name}-gateway",
        api_version="gateway.networking.k8s.io/v1",
        kind="Gateway",
        metadata={
            "name": gateway_name,
            "namespace": namespace.metadata.name,
            "labels": base_labels(),
        },
        spec={
            "gatewayClassName": gateway_class.metadata["name"],
            "listeners": gateway_listeners(exposure, server_routes),
        },
        opts=child_opts(parent, **k8s_opts),
    )
    return ExposureTarget(
        gateway_name=gateway_name,
        gateway_namespace=gateway_namespace,
        proxy_namespace=GATEWAY_PROXY_NAMESPACE,
        proxy_ports=GATEWAY_PROXY_PORTS,
        stack_gateway=True,
    )


def gateway_listeners(
    exposure: ClusterExposure, server_routes: Sequence[ServerRoute] = ()
) -> list[dict[str, Any]]:
    """The listeners' hostname: HTTP on 80, or HTTPS on 443 with the topology's certificate
    (what the operator advertises through `TLS_ENABLED` must be what the Gateway serves). Then
    one listener per standalone server hostname, which accepts routes from that server's
    namespace only (Gateway API matches a route only where its hostname and a listener's
    intersect, so a server's own hostname needs its own listener)."""
    host = {"hostname": exposure.hostname} if exposure.hostname else {}
    routes = {"allowedRoutes": {"namespaces": {"from": "All"}}}
    if exposure.tls_secret_name:
        tls = {"mode": "Terminate", "certificateRefs": [{"name": exposure.tls_secret_name}]}
        listeners = [
            {"name": "https", "protocol": "HTTPS", "port": 443, "tls": tls, **host, **routes}
        ]
    else:
        listeners = [{"name": "http", "protocol": "HTTP", "port": 80, **host, **routes}]
    for route in sorted(server_routes, key=lambda r: r.server):
        own = {
            "name": server_gateway_listener(route.server),
            "hostname": route.hostname,
            "allowedRoutes": {
                "namespaces": {
                    "from": "Selector",
                    "selector": {"matchLabels": {"kubernetes.io/metadata.name": route.namespace}},
                },
                "kinds": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}],
            },
        }
        if route.tls:
            certificate = {"name": route.tls_secret, "namespace": route.namespace}
            tls = {"mode": "Terminate", "certificateRefs": [certificate]}
            listeners.append({**own, "protocol": "HTTPS", "port": 443, "tls": tls})
        else:
            listeners.append({**own, "protocol": "HTTP", "port": 80})
    return listeners
