"""Topology edits shared by the identity, diff and API-server tests."""

from __future__ import annotations


def reverse_everything(node):
    """Reverse every mapping and list of the topology, recursively."""
    if isinstance(node, dict):
        return {k: reverse_everything(v) for k, v in reversed(list(node.items()))}
    if isinstance(node, list):
        return [reverse_everything(v) for v in reversed(node)]
    return node


NEW_LISTENER = (
    "  c-dev:\n    workspace: B\n    cluster: dev\n    namespaces: [team-c]\n    computeId: dev-c\n"
)


RENAMED = ("  b-dev:\n    workspace: B", "  team-b-dev:\n    renamedFrom: b-dev\n    workspace: B")
