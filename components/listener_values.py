"""The `langgraph-dataplane` chart values of one listener release, and how it is exposed.

Every values path set here exists in the chart's values.yaml (a contract test checks), and the
tests template the real chart with them. Secrets never appear: the API key and the Redis URL are
read from Secrets through `existingSecretName`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from components._common import base_labels, chart_labels
from components.exposure import exposure_values
from components.rollout import ANNOTATION

if TYPE_CHECKING:
    from components.listener import ListenerArgs


def helm_values(
    args: ListenerArgs,
    *,
    listener_id: pulumi.Input[str],
    api_key_secret: pulumi.Input[str],
    redis_secret: pulumi.Input[str],
    checksum: pulumi.Input[str],
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
            "smithBackendUrl": args.control_plane.trace_endpoint,
            "watchNamespaces": ",".join(args.watch_namespaces),
            "hostQueue": args.host_queue,
            # GET /ok on each Agent Server goes through the hostname: without one it cannot work.
            "enableLGPDeploymentHealthCheck": bool(exposure.hostname),
        },
        # The cluster owns the CRD (operator_crd.operator_crd), never a release.
        "operator": {"createCRDs": False, "kedaEnabled": True},
        "listener": {"deployment": {"annotations": {ANNOTATION: checksum}}},
        **routing,
        "redis": {"external": {"enabled": True, "existingSecretName": redis_secret}},
        "commonLabels": chart_labels(labels),
    }
