"""Control plane endpoints per LangSmith region: the one place these facts live.

LangChain publishes the addresses its SaaS ingress resolves to ("ingress into LangChain SaaS");
they change over time, so the topology can override them with `controlPlane.egressCidrs`.
Checked against LangChain's public documentation on 2026-11-21.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ControlPlaneEndpoints:
    """`host_backend_url`: the control plane API; `smith_backend_url`: the platform API's base
    (its paths start `/api/v1`); `api_endpoint`, when it differs from the base: what the
    listener and the Agent Servers call LangSmith at (`LANGSMITH_ENDPOINT`)."""

    host_backend_url: str
    smith_backend_url: str
    egress_cidrs: tuple[str, ...]
    api_endpoint: str = ""

    @property
    def trace_endpoint(self) -> str:
        return self.api_endpoint or self.smith_backend_url


API_PATH = "/api/v1"  # the documented end of a self-hosted LangSmith's API URL
CONTROL_PLANE_PATH = "/api-host"  # where a self-hosted LangSmith serves its control plane


def normalize_api_url(url: str) -> str:
    """The base of a LangSmith API URL given in any documented form: surrounding spaces,
    trailing slashes and a trailing `/api/v1` go (the Terraform provider's `normalizeAPIURL`)."""
    base = url.strip().rstrip("/")
    if base.endswith(API_PATH):
        base = base[: -len(API_PATH)].rstrip("/")
    return base


def self_hosted(
    smith_backend_url: str, host_backend_url: str | None, egress_cidrs: tuple[str, ...]
) -> ControlPlaneEndpoints:
    """One normalisation for a self-hosted LangSmith: the platform API at the base, the
    control plane at `hostBackendUrl` or else `<base>/api-host` (langgraph-cli, Terraform), and
    the workloads' `LANGSMITH_ENDPOINT` at `<base>/api/v1`."""
    base = normalize_api_url(smith_backend_url)
    host = (host_backend_url or "").strip().rstrip("/") or f"{base}{CONTROL_PLANE_PATH}"
    return ControlPlaneEndpoints(host, base, egress_cidrs, api_endpoint=f"{base}{API_PATH}")


REGIONS: dict[str, ControlPlaneEndpoints] = {
    "us": ControlPlaneEndpoints(
        "https://api.host.langchain.com",
        "https://api.smith.langchain.com",
        ("34.8.121.39/32", "34.107.251.234/32"),
    ),
    "eu": ControlPlaneEndpoints(
        "https://eu.api.host.langchain.com",
        "https://eu.api.smith.langchain.com",
        ("34.95.92.214/32", "34.13.73.122/32"),
    ),
    "apac": ControlPlaneEndpoints(
        "https://apac.api.host.langchain.com",
        "https://apac.api.smith.langchain.com",
        ("34.149.149.213/32",),
    ),
    "aws-us": ControlPlaneEndpoints(
        "https://aws.api.host.langchain.com",
        "https://aws.api.smith.langchain.com",
        (
            "3.129.27.169/32",
            "13.58.107.119/32",
            "16.59.151.49/32",
            "16.59.98.147/32",
            "3.134.146.243/32",
            "3.150.87.246/32",
        ),
    ),
}

CONTROL_PLANE_PORT = 443

# beacon.langchain.com (license checks and usage reporting of standalone Agent Servers) is
# served by LangChain's published US ingress addresses, and langgraph-api calls the US beacon
# whatever the region. `controlPlane.beaconCidrs` overrides them; `airGapped` drops them.
BEACON_CIDRS: tuple[str, ...] = REGIONS["us"].egress_cidrs


def beacon_cidrs(override: list[str] | None, *, air_gapped: bool) -> tuple[str, ...]:
    """Where standalone servers may reach the beacon: nowhere when air-gapped."""
    if air_gapped:
        return ()
    return tuple(sorted(override)) if override else BEACON_CIDRS
