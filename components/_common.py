"""Small helpers shared by the components."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import pulumi
import pulumi_kubernetes as k8s

from langsmith_dataplane.naming import MANAGED_BY
from langsmith_dataplane.versions import ChartRef

T = TypeVar("T")
U = TypeVar("U")

# Policies are registered untyped (`network_policy`), with the alias the typed class gives
# itself (a policy made before the API moved from extensions/v1beta1).
NETWORK_POLICY_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
NETWORK_POLICY_TYPE_ALIAS = pulumi.Alias(type_="kubernetes:extensions/v1beta1:NetworkPolicy")
SKIP_AWAIT = {"pulumi.com/skipAwait": "true"}
RESTRICTED_CONTAINER = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def base_labels(**extra: str) -> dict[str, str]:
    labels = {"app.kubernetes.io/managed-by": MANAGED_BY}
    labels.update({f"langsmith.com/{k.replace('_', '-')}": v for k, v in extra.items() if v})
    return labels


def await_annotations(skip_await: bool) -> dict[str, str]:
    """`pulumi.com/skipAwait` where the caller asked not to wait for readiness."""
    return dict(SKIP_AWAIT) if skip_await else {}


def slug(value: str) -> str:
    """A CIDR or other value as a resource-name-safe fragment: 10.0.0.0/8 -> 10-0-0-0-8."""
    return re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-").lower()


def _holds_outputs(value: object) -> bool:
    """Whether `value` is, or nests inside dicts, lists or tuples, a `pulumi.Output`."""
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, dict):
        return any(_holds_outputs(k) or _holds_outputs(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_holds_outputs(v) for v in value)
    return False


def lifted(value: pulumi.Input[T], fn: Callable[[T], U]) -> pulumi.Input[U]:
    """`Output.from_input(value).apply(fn)` at the price of what `value` holds.

    `from_input` wraps every nested dict, list and scalar of a plain value in an Output of its
    own (dozens per NetworkPolicy spec), and does the same again to an Output's plain result.
    A plain value is passed to `fn` at once; an Output is applied shallowly, and deeply only
    when its result still holds Outputs. The value, its dependencies and its secrecy are the
    same either way.
    """
    if isinstance(value, pulumi.Output):
        return value.apply(lambda v: lifted(v, fn))
    if _holds_outputs(value):
        return pulumi.Output.from_input(value).apply(fn)
    return fn(value)  # type: ignore[arg-type]  # a plain value is its own resolution


def child_opts(parent: pulumi.Resource, **kwargs: object) -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(parent=parent, **kwargs)  # type: ignore[arg-type]


def require_available(chart: ChartRef) -> None:
    """Stop the program with the chart's own one-line reason (a charts directory without it)."""
    if chart.unavailable:
        raise pulumi.RunError(chart.unavailable)


# Settings of every Kubernetes provider the stack makes. `enable_secret_mutable`: a Secret whose
# data changes (a rotated key, a new password) is updated in place; the provider's default
# replaces it, and, the name being fixed, deletes it first, so a pod starting in between finds
# no Secret. Pods still pick up the new value: the rollout checksum rolls them (`rollout.py`).
PROVIDER_SETTINGS: dict[str, Any] = {"enable_secret_mutable": True}


def release_chart(chart: ChartRef) -> dict[str, Any]:
    """`helm.v3.Release` arguments for a chart: a repository chart with its pinned version, an
    OCI reference with its version, or a local path (with its Chart.yaml version)."""
    require_available(chart)
    args: dict[str, Any] = {"chart": chart.chart}
    if chart.version:
        args["version"] = chart.version
    if chart.repo:
        args["repository_opts"] = {"repo": chart.repo}
    return args


def chart_labels(labels: dict[str, str]) -> dict[str, str]:
    """`commonLabels` for a chart: Helm sets app.kubernetes.io/managed-by itself (ours would be
    a duplicate key), so ours becomes langsmith.com/managed-by."""
    kept = {k: v for k, v in labels.items() if k != "app.kubernetes.io/managed-by"}
    return {**kept, "langsmith.com/managed-by": MANAGED_BY}


def network_policy(
    parent: pulumi.Resource,
    *,
    component: str,
    key: str,
    previous_key: str | None,
    policy: str,
    namespace: pulumi.Input[str],
    labels: dict[str, str],
    spec: pulumi.Input[dict[str, Any]],
) -> None:
    """`langsmith-<policy>` in `namespace`, named `<component>-<key>-<policy>` in Pulumi; with
    `previous_key` (a listener renamed with `renamedFrom`) the old name is an alias.

    Registered through the Kubernetes SDK's untyped object class, with the type token, inputs
    and aliases `networking.v1.NetworkPolicy` sends, so the engine and the provider get the same
    request (`tests/components/test_network_policy_request.py` compares the two messages).
    Policies are almost half of a stack's resources, and the typed class translates every node
    of their nested specs client-side and builds typed objects from the answer: work the engine
    never sees, paid on every plan. The spec is written in the API's camelCase, which the typed
    class passed through unchanged anyway.
    """
    aliases = [NETWORK_POLICY_TYPE_ALIAS]  # after the rename's, as the typed class orders them
    if previous_key is not None:
        aliases.insert(0, pulumi.Alias(name=f"{component}-{previous_key}-{policy}"))
    k8s.apiextensions.CustomResource(
        f"{component}-{key}-{policy}",
        api_version="networking.k8s.io/v1",
        kind="NetworkPolicy",
        metadata={"name": f"langsmith-{policy}", "namespace": namespace, "labels": labels},
        spec=spec,
        opts=child_opts(parent, aliases=aliases),
    )


class ComponentError(pulumi.RunError):
    """What Node's `pulumi.ResourceError(message, resource)` is, for Python: the message names
    the component it comes from, and, as a `RunError`, the engine prints it without a
    traceback."""

    def __init__(self, resource: pulumi.Resource, message: str) -> None:
        kind = getattr(resource, "_type", type(resource).__name__)
        name = getattr(resource, "_name", "")
        super().__init__(f"{kind} {name}: {message}")
