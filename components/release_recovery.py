"""`ReleaseRecovery`: a Helm release this stack's killed run left pending is retried, not a
dead end.

A `pulumi up` killed while Helm installs or upgrades a release (SIGKILL, a runner gone) leaves
the release's newest revision `pending-install` or `pending-upgrade` (`helm_history`): after
`pulumi cancel` and `refresh --clear-pending-creates`, the next install says "cannot re-use a
name that is still in use", an upgrade "another operation ... is in progress", and no `up`
converges (pulumi/pulumi-kubernetes#2054, #2758). Registered before each release it guards, this
resource reads the release's newest revision: a pending one is an update in the preview, and
at `up` it is marked `failed` when it is the stack's own (the chart version and the values this
stack sends, or sent when it was made), so the release's install (`replace`) or upgrade goes
on from it, adopting what the killed run had already created. A pending revision with other
values is someone else's operation, or one made from another topology: the `up` stops with
what to run, and nothing of it is touched. It holds no cluster object of its own: deleting it
deletes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

from components._records import not_known_yet
from components.helm_history import (
    PENDING,
    ClusterAccess,
    HelmRevision,
    latest_revision,
    mark_failed,
)
from langsmith_dataplane.api.revisions import stderr_line
from langsmith_dataplane.dynamic_kinds import RELEASE_RECOVERY_KIND
from langsmith_dataplane.review.escape import terminal

ACCESS_INPUTS = ("kubeconfig", "kubeconfig_path", "context")


def _access(props: dict[str, Any]) -> ClusterAccess:
    return ClusterAccess(**{key: props.get(key) or None for key in ACCESS_INPUTS})


def _pending(props: dict[str, Any]) -> HelmRevision | None:
    revision = latest_revision(_access(props), props["namespace"], props["release"])
    return revision if revision is not None and revision.status in PENDING else None


def _own(revision: HelmRevision, props: dict[str, Any], olds: dict[str, Any]) -> bool:
    digests = {props.get("values_digest"), olds.get("values_digest")} - {None, ""}
    return revision.chart_version == props["chart_version"] and revision.config_digest in digests


def recover(props: dict[str, Any], olds: dict[str, Any] | None = None) -> str:
    """Mark the release's pending revision failed when it is this stack's own, and say which
    (the release's next description); "" when none is pending. Someone else's: stop."""
    revision = _pending(props)
    if revision is None:
        return ""
    namespace, release = terminal(props["namespace"]), terminal(props["release"])
    where = f"{namespace}/{release}"
    if not _own(revision, props, olds or {}):
        raise RuntimeError(
            f"Helm release {where} is {revision.status} (revision {revision.version}) with a "
            "chart version or values this stack did not send: another Helm operation may be "
            "running, or it was made from another topology. Nothing was changed. If no one is "
            f"running Helm on it, run `helm -n {namespace} rollback {release}` (or "
            "`helm uninstall` for a pending-install), then `pulumi up`"
        )
    mark_failed(
        _access(props),
        props["namespace"],
        revision,
        f"{revision.status} interrupted (the run that started it was killed); marked failed "
        "by langsmith-dataplane so that the stack's next run retries it",
    )
    stderr_line(
        f"Helm release {where}: revision {revision.version} was left {revision.status} by an "
        "interrupted run; marked failed so that this run retries it"
    )
    return f"retry of revision {revision.version} ({revision.status}, interrupted)"


class ReleaseRecoveryProvider(ResourceProvider):
    """See the module docstring."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        outs = {**props, "retried": recover(props)}
        return CreateResult(f"{props['namespace']}/{props['release']}", outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Changes only when the release is pending now: its values, chart or credentials
        changing is the release's own change, never this resource's."""
        if any(not_known_yet(news.get(k)) for k in ("namespace", "release", *ACCESS_INPUTS)):
            return DiffResult(changes=False)
        try:
            pending = _pending(news)
        except Exception:  # an unreachable cluster is the release's error to report
            return DiffResult(changes=False)
        return DiffResult(changes=pending is not None, replaces=[], delete_before_replace=False)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        retried = recover(news, olds) or olds.get("retried") or ""
        return UpdateResult({**news, "retried": retried})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing in the cluster is this resource's."""


@dataclass(frozen=True)
class ReleaseRecoveryArgs:
    namespace: pulumi.Input[str]
    release: str
    chart_version: str
    values_digest: pulumi.Input[str]
    kubeconfig: pulumi.Input[str] | None
    kubeconfig_path: str | None
    context: str | None


class ReleaseRecovery(Resource):
    """Registered before the release it guards; see the module docstring. `retried` names the
    last revision it marked failed ("": none yet): the release's Helm description, so that a
    release whose state a refresh already took from the pending revision is upgraded (a
    refresh reads the values that revision was sent with: else nothing would differ). It is
    an input too, so that a preview knows it (the engine previews a dynamic resource's
    outputs as its inputs): no release shows a change because its guard is new."""

    retried: pulumi.Output[str]

    def __init__(
        self, name: str, args: ReleaseRecoveryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = {
            "kind": RELEASE_RECOVERY_KIND,
            "namespace": args.namespace,
            "release": args.release,
            "chart_version": args.chart_version,
            "values_digest": args.values_digest,
            "kubeconfig": pulumi.Output.secret(args.kubeconfig) if args.kubeconfig else None,
            "kubeconfig_path": args.kubeconfig_path,
            "context": args.context,
            "retried": "",
        }
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["kubeconfig"])
        )
        super().__init__(ReleaseRecoveryProvider(), name, props, opts)
