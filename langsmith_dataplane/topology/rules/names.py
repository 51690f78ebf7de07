"""Keys that become names: Kubernetes labels, Helm releases, renames, every derived name."""

from __future__ import annotations

from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.naming import (
    HELM_RELEASE_NAME_MAX,
    K8S_LABEL_MAX,
)
from langsmith_dataplane.topology.rules.derived_names import (
    Derived,
    derived_names,
    kind_problem,
)
from langsmith_dataplane.topology.rules.registry import (
    RFC1123_PATTERN,
    RuleContext,
    rule,
)
from langsmith_dataplane.topology.schema import (
    Topology,
)
from langsmith_dataplane.topology.source_map import Path


def _label_problem(name: str) -> str | None:
    if not name:
        return "is empty"
    if len(name) > K8S_LABEL_MAX:
        return f"is {len(name)} characters long (at most {K8S_LABEL_MAX})"
    if not RFC1123_PATTERN.fullmatch(name):
        return (
            "is not a valid Kubernetes name (RFC 1123 label: lower-case letters, digits "
            "and '-', starting and ending with a letter or digit)"
        )
    return None


def _named_keys(t: Topology) -> Iterator[tuple[Path, str, str]]:
    """(path, what, name) for every key that becomes a Kubernetes or cloud resource name."""
    for name, cluster in t.clusters.items():
        yield ("clusters", name), "cluster name", name
        if cluster.eks:
            for group in cluster.eks.node_groups:
                yield ("clusters", name, "eks", "nodeGroups", group), "node group name", group
    for name, listener in t.listeners.items():
        yield ("listeners", name), "listener name", name
        if listener.renamed_from is not None:
            yield ("listeners", name, "renamedFrom"), "renamedFrom", listener.renamed_from
        for deployment in listener.deployments:
            path = ("listeners", name, "deployments", deployment)
            yield path, "deployment name", deployment


@rule("rfc1123-name")
def names_are_rfc1123_labels(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Cluster, listener, namespace, deployment, node group and egress rule names are RFC 1123
    labels.

    Keys that become Kubernetes names must be RFC 1123 labels.
    """
    for path, what, name in _named_keys(ctx.topology):
        problem = _label_problem(name)
        if problem:
            yield ctx.error(path, f"{what} '{name}' {problem}", at="key")
    for lname, listener in ctx.topology.listeners.items():
        for i, namespace in enumerate(listener.namespaces):
            problem = _label_problem(namespace)
            if problem:
                path = ("listeners", lname, "namespaces", i)
                yield ctx.error(path, f"namespace '{namespace}' {problem}")
    for i, egress_rule in enumerate(ctx.topology.egress.allow):
        problem = _label_problem(egress_rule.name)
        if problem:
            path = ("egress", "allow", i, "name")
            yield ctx.error(path, f"egress rule name '{egress_rule.name}' {problem}")


@rule("release-name-length")
def release_names_fit_helm(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Listener names (Helm release names) are at most 53 characters.

    Helm release names (the listener key) are at most 53 characters.
    """
    for name, listener in ctx.topology.listeners.items():
        if len(name) > HELM_RELEASE_NAME_MAX:
            yield ctx.error(
                ("listeners", name),
                f"listener name '{name}' is {len(name)} characters; Helm release names are at "
                f"most {HELM_RELEASE_NAME_MAX}",
                at="key",
            )
        old = listener.renamed_from
        if old is not None and len(old) > HELM_RELEASE_NAME_MAX:
            yield ctx.error(
                ("listeners", name, "renamedFrom"),
                f"renamedFrom '{old}' is {len(old)} characters; it stays the Helm release name, "
                f"which is at most {HELM_RELEASE_NAME_MAX}",
            )


@rule("renamed-from")
def renames_are_unambiguous(ctx: RuleContext) -> Iterator[Diagnostic]:
    """`renamedFrom` names a key that is gone, claimed once.

    `renamedFrom` names a key that no longer exists, and only one listener claims it.
    """
    claimed: dict[str, str] = {}
    for lname, listener in ctx.topology.listeners.items():
        old = listener.renamed_from
        if old is None:
            continue
        path = ("listeners", lname, "renamedFrom")
        if old == lname:
            yield ctx.error(path, "renamedFrom names the listener itself")
        elif old in ctx.topology.listeners:
            yield ctx.error(path, f"renamedFrom '{old}' is still a listener in this topology")
        elif old in claimed:
            yield ctx.error(path, f"renamedFrom '{old}' is already claimed by '{claimed[old]}'")
        else:
            claimed[old] = lname


@rule("derived-names")
def derived_names_can_exist(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Every name the stack makes from keys (Helm releases, chart objects and labels, Services,
    StatefulSets, Secrets, RDS and ElastiCache identifiers, Pulumi resource names) fits what it
    becomes and is unique where it must be, reported at the key that makes it.

    Names made from keys fit what they become and never collide in their scope.
    """
    seen: dict[tuple[tuple[str, ...], str], Derived] = {}
    reported: set[tuple[Path, str]] = set()
    malformed: set[Path] = set()  # one form problem per key: they share one cause
    for name in derived_names(ctx.topology):
        key = (name.path, name.value)
        problem = kind_problem(name.kind, name.value) if name.kind else None
        if problem and name.path not in malformed:
            malformed.add(name.path)
            reported.add(key)
            yield ctx.error(
                name.path,
                f"'{name.path[-1]}' makes {name.what} '{name.value}', which {problem}: "
                "choose another name",
                at="key",
            )
        if name.scope is None:
            continue
        first = seen.setdefault((name.scope, name.value), name)
        if first.path != name.path and key not in reported:
            reported.add(key)
            yield ctx.error(
                name.path,
                f"'{name.path[-1]}' makes {name.what} '{name.value}', which "
                f"'{'.'.join(str(p) for p in first.path)}' makes too: rename one of them",
                at="key",
            )


RULES = (
    names_are_rfc1123_labels,
    release_names_fit_helm,
    renames_are_unambiguous,
    derived_names_can_exist,
)
