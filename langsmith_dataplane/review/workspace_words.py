"""The workspaces a stack creates, finds or references, and each workload's key, in words."""

from __future__ import annotations

from langsmith_dataplane.stack_slice import StackSlice, WorkspaceTarget


def workspace_lines(slice_: StackSlice) -> list[str]:
    """One line per workspace the stack touches: how it gets its id, what it creates there."""
    lines = []
    for target in slice_.workspaces:
        if target.source == "created":
            handle = f", handle {target.handle}" if target.handle else ""
            removal = (
                "DELETED with its traces and datasets if removed from the topology (allowDeletion)"
                if target.allow_deletion
                else "kept in LangSmith if removed from the topology"
            )
            if slice_.protect:
                removal += "; protected"
            if target.adopt:
                removal = removal.replace(
                    "DELETED with", "DELETED (though not made by this stack) with"
                )
                head = (
                    f"workspace {target.key}: ADOPTED, the existing workspace {target.adopt} taken "
                    f"over by this stack as '{target.display_name}'{handle}; {removal}"
                )
            else:
                head = (
                    f"workspace {target.key} (new): created by this stack as "
                    f"'{target.display_name}'{handle}; {removal}"
                )
        elif target.source == "looked-up":
            head = (
                f"workspace {target.key}: created by stack {target.owner}, found here by handle "
                f"{target.handle} at `up`"
            )
        else:
            head = f"workspace {target.key}: id {target.id} (made elsewhere, referenced)"
        lines.append(f"{head}; {_keys_words(target)}")
    return lines


def _keys_words(target: WorkspaceTarget) -> str:
    if target.keys is None:
        return f"API key from secret config {target.api_key} (made elsewhere)"
    return (
        f"a service key per listener and Agent Server, role {target.keys.role}, generation "
        f"{target.keys.generation}"
    )


def credentials_words(target: WorkspaceTarget, kind: str, owner: str) -> str:
    """`service key for listener c-dev (...), role Editor` or the config value's name."""
    if target.keys is None:
        return f"API key from secret config {target.api_key}"
    return (
        f"service key for {kind} {owner} (made by this stack, scoped to workspace "
        f"{target.key}), role {target.keys.role}, generation {target.keys.generation}"
    )
