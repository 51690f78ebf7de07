"""In which order the deploy workflow runs the affected stacks: waves of stacks that may run in
parallel, each wave after the one before.

A workspace one stack creates (its `owner`) and others deploy into is found by those others at
`up` by its handle: while it is in the topology the owner runs first, or their lookups fail.
When it leaves the topology the others run first, so their listeners, servers and keys are
gone before the owner deletes (or forgets) the workspace, and no consumer is left trying to
tear down inside a tenant that no longer exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from langsmith_dataplane.topology.schema import Topology
from langsmith_dataplane.topology.workspace_use import is_created, workspace_users


class StackCycleError(ValueError):
    """Stacks that must each run before the other."""


def _users(topology: Topology) -> dict[str, tuple[str, set[str]]]:
    """Created workspace -> (owner stack, the other stacks deploying into it)."""
    out: dict[str, tuple[str, set[str]]] = {}
    using = workspace_users(topology)
    for name, workspace in topology.workspaces.items():
        if not is_created(workspace) or workspace.owner is None:
            continue
        users = {stack for stack in using.get(name, ()) if stack != workspace.owner}
        out[name] = (workspace.owner, users)
    return out


def _edges(base: Topology | None, head: Topology) -> set[tuple[str, str]]:
    """(first, then) pairs of stacks."""
    edges: set[tuple[str, str]] = set()
    kept = _users(head)
    for owner, users in kept.values():
        edges |= {(owner, user) for user in users}
    if base is not None:
        for name, (owner, users) in _users(base).items():
            if name not in kept:  # removed: its consumers tear down first
                edges |= {(user, owner) for user in users}
    return edges


def deploy_waves(base: Topology | None, head: Topology, affected: Iterable[str]) -> list[list[str]]:
    """The affected stacks in waves (Kahn's algorithm over the stacks' order, limited to the
    affected ones); a cycle is a `StackCycleError` naming its stacks."""
    pending = set(affected)
    edges = {(a, b) for a, b in _edges(base, head) if a in pending and b in pending and a != b}
    waves: list[list[str]] = []
    while pending:
        ready = sorted(s for s in pending if not any(b == s and a in pending for a, b in edges))
        if not ready:
            stuck = ", ".join(sorted(pending))
            raise StackCycleError(
                f"stacks {stuck} each need another of them to run first (a workspace one owns "
                "is used by another that owns one the first uses): give each workspace's users "
                "and owner an order, or run them by hand, owners first"
            )
        waves.append(ready)
        pending -= set(ready)
    return waves
