"""Every Helm release of the stack, made one way: guarded by a `ReleaseRecovery`, installed
with `replace`.

`replace` lets an install reuse the name of a release whose newest revision is `failed`, which
is what `ReleaseRecovery` makes of a revision the stack's own killed run left pending; the
install then adopts the objects that run created (they carry the release's ownership
annotations). It only matters on install, so it is ignored on update: a release made before it
was set is not upgraded for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._common import child_opts, lifted, release_chart
from components.helm_history import ClusterAccess, values_digest
from components.release_recovery import ReleaseRecovery, ReleaseRecoveryArgs
from langsmith_dataplane.versions import ChartRef


def guarded_release(
    parent: pulumi.Resource,
    name: str,
    *,
    release: str,
    namespace: pulumi.Input[str],
    chart: ChartRef,
    access: ClusterAccess | None,
    values: pulumi.Input[dict[str, Any]] | None = None,
    skip_await: bool,
    timeout: int,
    provider: k8s.Provider | None = None,
    depends_on: Sequence[pulumi.Resource] = (),
    create_namespace: bool = False,
) -> k8s.helm.v3.Release:
    """The release `name` (its Pulumi name) and, first, `<name>-recovery` guarding it. Without
    `access` (components built outside a stack's wiring) there is no guard."""
    chart_args = release_chart(chart)
    waits_for = list(depends_on)
    extra: dict[str, Any] = {}
    if access is not None:
        recovery = ReleaseRecovery(
            f"{name}-recovery",
            ReleaseRecoveryArgs(
                namespace=namespace,
                release=release,
                chart_version=chart.version,
                values_digest=lifted(values if values is not None else {}, values_digest),
                kubeconfig=access.kubeconfig,
                kubeconfig_path=access.kubeconfig_path,
                context=access.context,
            ),
            opts=child_opts(parent, depends_on=list(depends_on)),
        )
        waits_for.append(recovery)
        # No input until a retry (what releases made before had), then the retry.
        extra["description"] = recovery.retried.apply(lambda retried: retried or None)
    if values is not None:  # no values is no `values` input (not `{}`), as before
        extra["values"] = values
    if create_namespace:
        extra["create_namespace"] = True
    return k8s.helm.v3.Release(
        name,
        name=release,
        namespace=namespace,
        skip_await=skip_await,
        timeout=timeout,
        replace=True,
        **chart_args,
        **extra,
        opts=child_opts(
            parent, provider=provider, depends_on=waits_for, ignore_changes=["replace"]
        ),
    )
