"""How Agent Servers are reached: the values both LangChain charts share for their exposure.

A leaf module: the listener, the standalone server and the program's wiring all use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Exposure:
    """Exactly one of the charts' ingress, gateway, istioGateway.

    `tls`: the exposure serves HTTPS (what the operator or server advertises must match);
    `tls_secret`: the certificate Secret of a plain Ingress (in the release's namespace);
    `section_name`: the Gateway listener a route attaches to (the stack's own Gateway gives each
    standalone server a listener of its own); `stack_gateway`: the Gateway is the stack's.
    """

    kind: Literal["ingress", "gateway", "istio"]
    hostname: str = ""
    gateway_name: str = ""
    gateway_namespace: str = ""
    ingress_class: str = ""
    tls: bool = False
    tls_secret: str = ""
    section_name: str = ""
    stack_gateway: bool = False


def exposure_values(exposure: Exposure, hostname: str, *, enabled: bool = True) -> dict[str, Any]:
    """`ingress`, `gateway` and `istioGateway`, the same keys in both charts: exactly the one of
    the cluster's kind is on (none when not `enabled`)."""

    def route(kind: str) -> dict[str, Any]:
        values = {
            "enabled": enabled and exposure.kind == kind,
            "name": exposure.gateway_name,
            "namespace": exposure.gateway_namespace,
            "hostname": hostname,
        }
        if kind == "gateway" and exposure.section_name:  # langgraph-cloud only
            values["sectionName"] = exposure.section_name
        return values

    ingress: dict[str, Any] = {
        "enabled": enabled and exposure.kind == "ingress",
        "hostname": hostname,
        "ingressClassName": exposure.ingress_class,
    }
    if enabled and exposure.kind == "ingress" and exposure.tls_secret and hostname:
        ingress["tls"] = [{"hosts": [hostname], "secretName": exposure.tls_secret}]
    return {"ingress": ingress, "gateway": route("gateway"), "istioGateway": route("istio")}
