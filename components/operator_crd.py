"""The listener operator's CRD, rendered from the listener chart itself, declared by the stack.

The chart ships the CRD as a file Helm installs once and never upgrades; declaring it here, its
spec rendered from the same chart, keeps the CRD in step with the operator across chart bumps.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._common import base_labels, child_opts, require_available
from langsmith_dataplane.versions import ChartRef

OPERATOR_CRD = "lgps.apps.langchain.ai"


def chart_unreachable(source: str, exc: BaseException) -> str:
    """One line for a chart that cannot be fetched or rendered: which chart, from where, why,
    and the setting that serves it from a local copy."""
    reason = " ".join(str(exc).split()).removeprefix("invoke of kubernetes:helm:template failed: ")
    if len(reason) > 300:
        reason = reason[:297] + "..."
    return (
        f"cannot render the listener chart {source}: {reason or type(exc).__name__}. Without "
        "access to the chart repository, set langsmith-dataplane:chartsDir (or "
        "LANGSMITH_CHARTS_DIR) to a directory of unpacked charts (README: air-gapped installs)"
    )


class OperatorCrdError(Exception):
    """The listener chart did not render the one CRD the operator needs."""


def chart_crd(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The operator's CRD among the chart's rendered objects (exactly one, named OPERATOR_CRD)."""
    crds = [o for o in objects or [] if o.get("kind") == "CustomResourceDefinition"]
    names = sorted(str((o.get("metadata") or {}).get("name")) for o in crds)
    if names != [OPERATOR_CRD]:
        raise OperatorCrdError(
            f"the listener chart rendered the CRDs {names or 'none'}, expected [{OPERATOR_CRD}]: "
            "check langsmith-dataplane:chartPath and the chart version in versions.py"
        )
    return crds[0]


def operator_crd(
    parent: pulumi.Resource,
    name: str,
    chart: ChartRef,
    *,
    provider: k8s.Provider,
    protect: bool,
) -> k8s.apiextensions.v1.CustomResourceDefinition:
    """The operator's CRD, its spec rendered from the listener chart itself (`helm template`
    through the Kubernetes provider, as `helm.v3.Chart` does), declared once per cluster."""
    values = {"operator": {"createCRDs": True}}
    if chart.repo:
        config: k8s.helm.v3.ChartOpts | k8s.helm.v3.LocalChartOpts = k8s.helm.v3.ChartOpts(
            chart=chart.chart,
            version=chart.version,
            fetch_opts=k8s.helm.v3.FetchOpts(repo=chart.repo),
            values=values,
        )
    else:
        config = k8s.helm.v3.LocalChartOpts(path=chart.chart, values=values)
    config.release_name = f"{name}-operator-crd"
    invoke = pulumi.InvokeOptions(provider=provider, parent=parent)

    require_available(chart)
    source = f"{chart.chart} {chart.version} from {chart.repo}" if chart.repo else chart.chart

    async def render(json_opts: str) -> list[dict[str, Any]]:
        try:
            result = await pulumi.runtime.invoke_async(
                "kubernetes:helm:template", {"jsonOpts": json_opts}, invoke
            )
        except Exception as exc:  # an unreachable repository: one line, not a traceback
            raise pulumi.RunError(chart_unreachable(source, exc)) from None
        return (result or {}).get("result", [])

    crd = config.to_json().apply(render).apply(chart_crd)
    return k8s.apiextensions.v1.CustomResourceDefinition(
        f"{name}-operator-crd",
        metadata={"name": OPERATOR_CRD, "labels": base_labels()},
        spec=crd.apply(lambda c: c["spec"]),
        # Deleting it deletes every Agent Server resource of the cluster.
        opts=child_opts(parent, provider=provider, protect=protect),
    )
