"""Control plane endpoints per LangSmith region: the one place these facts live.

LangChain publishes the addresses its SaaS ingress resolves to ("ingress into LangChain SaaS");
they change over time, so the topology can override them with `controlPlane.egressCidrs`.
Checked against LangChain's public documentation on 2026-11-21.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ControlPlaneEndpoints:
    host_backend_url: str
    smith_backend_url: str
    egress_cidrs: tuple[str, ...]


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
