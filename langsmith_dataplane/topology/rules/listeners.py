"""Listeners: what they reference, the namespaces they watch, how they register."""

from __future__ import annotations

from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.naming import (
    is_addon_namespace,
    is_reserved_namespace,
    release_namespace,
)
from langsmith_dataplane.suggest import Suggester
from langsmith_dataplane.topology.rules.registry import (
    RuleContext,
    rule,
)


@rule("unknown-reference")
def references_exist(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Listeners name existing workspaces and clusters; stacks name existing clusters."""
    t = ctx.topology
    workspaces, clusters = Suggester(t.workspaces), Suggester(t.clusters)
    for name, listener in t.listeners.items():
        if listener.workspace not in t.workspaces:
            path = ("listeners", name, "workspace")
            hint = workspaces.hint(listener.workspace)
            yield ctx.error(path, f"unknown workspace '{listener.workspace}'{hint}")
        if listener.cluster not in t.clusters:
            yield ctx.error(
                ("listeners", name, "cluster"),
                f"unknown cluster '{listener.cluster}'{clusters.hint(listener.cluster)}",
            )
    for stack, spec in t.stacks.items():
        for i, cluster in enumerate(spec.clusters):
            if cluster not in t.clusters:
                yield ctx.error(
                    ("stacks", stack, "clusters", i),
                    f"unknown cluster '{cluster}'{clusters.hint(cluster)}",
                )


@rule("duplicate-namespace")
def namespaces_listed_once(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A listener lists each namespace once."""
    for name, listener in ctx.topology.listeners.items():
        seen: dict[str, int] = {}
        for i, namespace in enumerate(listener.namespaces):
            if namespace in seen:
                yield ctx.error(
                    ("listeners", name, "namespaces", i),
                    f"namespace '{namespace}' is listed twice in listener '{name}'",
                )
            seen.setdefault(namespace, i)


@rule("shared-namespace")
def namespaces_not_shared(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Two listeners never watch the same namespace of one cluster.

    Two listeners never deploy to the same namespace of one cluster.
    """
    for cluster, members in ctx.listeners_by_cluster.items():
        owner: dict[str, str] = {}
        for lname, listener in members:
            for i, namespace in enumerate(listener.namespaces):
                first = owner.setdefault(namespace, lname)
                if first != lname:
                    yield ctx.error(
                        ("listeners", lname, "namespaces", i),
                        f"namespace '{namespace}' of cluster '{cluster}' is already watched by "
                        f"listener '{first}'; listeners cannot share a namespace",
                    )


@rule("reserved-namespace")
def namespaces_are_not_reserved(ctx: RuleContext) -> Iterator[Diagnostic]:
    """No `default`, `kube-*`, add-on namespace (`keda`, `envoy-gateway-system`,
    `langgraph-gateway`, `traefik`) or another listener's release namespace; no listener whose
    release namespace would be an add-on's.

    Listeners never deploy into default or kube-* namespaces, nor into a release namespace.
    """
    for cluster, members in ctx.listeners_by_cluster.items():
        release_namespaces = {
            release_namespace(listener.renamed_from or name): name for name, listener in members
        }
        for lname, listener in members:
            own = release_namespace(listener.renamed_from or lname)
            if is_addon_namespace(own):
                yield ctx.error(
                    ("listeners", lname),
                    f"listener '{lname}' would be released into namespace '{own}', which a "
                    "cluster add-on owns; choose another listener name",
                    at="key",
                )
            for i, namespace in enumerate(listener.namespaces):
                path = ("listeners", lname, "namespaces", i)
                if is_reserved_namespace(namespace):
                    yield ctx.error(
                        path,
                        f"namespace '{namespace}' is reserved by Kubernetes; choose another",
                    )
                elif is_addon_namespace(namespace):
                    yield ctx.error(
                        path,
                        f"namespace '{namespace}' belongs to a cluster add-on (KEDA, Envoy "
                        "Gateway, Traefik or the stack's Gateway); choose another",
                    )
                elif namespace in release_namespaces:
                    owner = release_namespaces[namespace]
                    yield ctx.error(
                        path,
                        f"namespace '{namespace}' is the release namespace of listener "
                        f"'{owner}' in cluster '{cluster}'; choose another",
                    )


@rule("compute-id")
def compute_ids_unique(ctx: RuleContext) -> Iterator[Diagnostic]:
    """(workspace, compute id) is unique among listeners registered by the stack (not those with
    `listenerId`); `listenerId` and `adopt` exclude each other.

    (workspace, compute id) is unique; compute id defaults to the cluster name.
    """
    seen: dict[tuple[str, str], str] = {}
    for lname, listener in ctx.topology.listeners.items():
        if listener.listener_id is not None:
            if listener.adopt is not None:
                yield ctx.error(
                    ("listeners", lname, "adopt"),
                    f"listener '{lname}' has 'listenerId' (used as it is, never managed) and "
                    "'adopt' (taken over and managed): keep one",
                    at="key",
                )
            continue  # registered elsewhere: nothing is registered for it here
        compute_id = listener.effective_compute_id
        key = (listener.workspace, compute_id)
        first = seen.setdefault(key, lname)
        if first == lname:
            continue
        if listener.compute_id is None:
            message = (
                f"listener '{lname}' and '{first}' both run workspace '{listener.workspace}' "
                f"with compute id '{compute_id}' (the cluster name); give them distinct "
                "'computeId' values"
            )
            yield ctx.error(("listeners", lname), message, at="key")
        else:
            message = (
                f"computeId '{compute_id}' is already used by listener '{first}' of workspace "
                f"'{listener.workspace}'"
            )
            yield ctx.error(("listeners", lname, "computeId"), message)


RULES = (
    references_exist,
    namespaces_listed_once,
    namespaces_not_shared,
    namespaces_are_not_reserved,
    compute_ids_unique,
)
