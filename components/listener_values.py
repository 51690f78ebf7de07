"""The `langgraph-dataplane` chart values of one listener release, and how it is exposed.

Every values path set here exists in the chart's values.yaml (a contract test checks), and the
tests template the real chart with them. Secrets never appear: the API key and the Redis URL are
read from Secrets through `existingSecretName`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pulumi

from components._common import base_labels, chart_labels

if TYPE_CHECKING:
    from components.listener import ListenerArgs


@dataclass(frozen=True)
class Exposure:
    """How Agent Servers are reached: exactly one of the chart's ingress, gateway, istioGateway.

    `tls`: the exposure serves HTTPS (the operator's `TLS_ENABLED` must say what is served);
    `tls_secret`: the certificate Secret of a plain Ingress.
    """

    kind: Literal["ingress", "gateway", "istio"]
    hostname: str = ""
    gateway_name: str = ""
    gateway_namespace: str = ""
    ingress_class: str = ""
    tls: bool = False
    tls_secret: str = ""


def exposure_values(exposure: Exposure, hostname: str, *, enabled: bool = True) -> dict[str, Any]:
    """`ingress`, `gateway` and `istioGateway`, the same keys in both charts: exactly the one of
    the cluster's kind is on (none when not `enabled`)."""

    def route(kind: str) -> dict[str, Any]:
        return {
            "enabled": enabled and exposure.kind == kind,
            "name": exposure.gateway_name,
            "namespace": exposure.gateway_namespace,
            "hostname": hostname,
        }

    ingress: dict[str, Any] = {
        "enabled": enabled and exposure.kind == "ingress",
        "hostname": hostname,
        "ingressClassName": exposure.ingress_class,
    }
    if enabled and exposure.kind == "ingress" and exposure.tls_secret and hostname:
        ingress["tls"] = [{"hosts": [hostname], "secretName": exposure.tls_secret}]
    return {"ingress": ingress, "gateway": route("gateway"), "istioGateway": route("istio")}


def helm_values(
    args: ListenerArgs,
    *,
    listener_id: pulumi.Input[str],
    api_key_secret: pulumi.Input[str],
    redis_secret: pulumi.Input[str],
) -> dict[str, Any]:
    """The chart values. Every path must exist in the chart's values.yaml (a test checks)."""
    exposure = args.exposure
    routing = exposure_values(exposure, exposure.hostname)
    routing["ingress"]["tlsEnabled"] = exposure.tls  # the operator's TLS_ENABLED, in every mode
    labels = base_labels(workspace=args.workspace_key, listener=args.release_name)
    return {
        "config": {
            "existingSecretName": api_key_secret,
            "langsmithWorkspaceId": args.workspace_id,
            "langgraphListenerId": listener_id,
            "hostBackendUrl": args.control_plane.host_backend_url,
            "smithBackendUrl": args.control_plane.smith_backend_url,
            "watchNamespaces": ",".join(args.watch_namespaces),
            "hostQueue": args.host_queue,
            # GET /ok on each Agent Server goes through the hostname: without one it cannot work.
            "enableLGPDeploymentHealthCheck": bool(exposure.hostname),
        },
        # The cluster owns the CRD (cluster_addons.operator_crds), never a release.
        "operator": {"createCRDs": False, "kedaEnabled": True},
        **routing,
        "redis": {"external": {"enabled": True, "existingSecretName": redis_secret}},
        "commonLabels": chart_labels(labels),
    }
