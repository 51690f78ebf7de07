"""Pinned versions of every chart and image the project installs: bump them here, nowhere else."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChartRef:
    """A Helm chart: a repository URL (or OCI reference, or local path) and a pinned version."""

    chart: str
    version: str
    repo: str | None = None
    # Why this chart cannot be installed (a charts directory without it): the release that
    # uses it stops the program with this message.
    unavailable: str = ""

    @property
    def name(self) -> str:
        """The chart's own name (`gateway-helm` for `oci://docker.io/envoyproxy/gateway-helm`):
        a local copy lives in `<name>-<version>/`."""
        return self.chart.rsplit("/", 1)[-1]


# The listener chart. Legacy for *new* LangSmith customers; existing hybrid customers stay
# supported. A later chart is one change here.
LISTENER_CHART = ChartRef(
    chart="langgraph-dataplane",
    version="0.2.22",  # appVersion 0.16.36
    repo="https://langchain-ai.github.io/helm/",
)

# Standalone Agent Servers (LangSmith's hybrid model for new customers since 2026-05).
AGENT_SERVER_CHART = ChartRef(
    chart="langgraph-cloud",
    version="0.3.2",  # appVersion 0.2.3
    repo="https://langchain-ai.github.io/helm/",
)

# Cluster add-ons.
KEDA_CHART = ChartRef(chart="keda", version="2.17.2", repo="https://kedacore.github.io/charts")
METRICS_SERVER_CHART = ChartRef(
    chart="metrics-server",
    version="3.12.2",
    repo="https://kubernetes-sigs.github.io/metrics-server/",
)
# Envoy Gateway: the Gateway API implementation installed for `ingress: gateway`. It also
# installs the Gateway API CRDs.
GATEWAY_CHART = ChartRef(chart="oci://docker.io/envoyproxy/gateway-helm", version="v1.4.2")
GATEWAY_CONTROLLER_NAME = "gateway.envoyproxy.io/gatewayclass-controller"
# Envoy Gateway runs its proxies in the controller's namespace; they listen on these container
# ports for the Gateway's 80 and 443 (the listener's health check reaches them there).
GATEWAY_PROXY_NAMESPACE = "envoy-gateway-system"
GATEWAY_PROXY_PORTS = (10080, 10443)
# Traefik: the Ingress controller installed for `ingress: ingress` (IngressClass `traefik`).
INGRESS_CHART = ChartRef(chart="traefik", version="37.3.0", repo="https://traefik.github.io/charts")
INGRESS_CLASS = "traefik"
INGRESS_NAMESPACE = "traefik"
INGRESS_PROXY_PORTS = (8000, 8443)

# Every chart a stack may install (an air-gapped charts directory holds these).
ALL_CHARTS = (
    LISTENER_CHART,
    AGENT_SERVER_CHART,
    KEDA_CHART,
    METRICS_SERVER_CHART,
    INGRESS_CHART,
    GATEWAY_CHART,
)

# Backing-store images (in-cluster Postgres and Redis).
POSTGRES_IMAGE = "docker.io/pgvector/pgvector:0.8.0-pg16"
REDIS_IMAGE = "docker.io/library/redis:7.4.2"
