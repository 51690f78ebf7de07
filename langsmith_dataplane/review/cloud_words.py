"""A stack's Cloud SaaS deployments in words: what LangChain will build and run, from where."""

from __future__ import annotations

from langsmith_dataplane.review.workspace_words import credentials_words
from langsmith_dataplane.stack_slice import StackSlice


def cloud_lines(slice_: StackSlice) -> list[str]:
    """Variable NAMES only, never a value; each line is escaped by the caller."""
    if not slice_.cloud_deployments:
        return []
    lines = ["LangChain cloud (Cloud SaaS: LangChain builds and runs these; no cluster of yours)"]
    for target in slice_.cloud_deployments:
        spec, github = target.spec, target.spec.github
        push = "on" if github.build_on_push else "off"
        env = ", ".join(sorted(spec.env)) or "none"
        secret = ", ".join(sorted(spec.secret_env)) or "none"
        workspace = slice_.workspace(target.workspace_key)
        key = credentials_words(workspace, "cloud deployment", target.key)
        lines.append(
            f"  cloud deployment {target.key}: workspace {target.workspace_key}, "
            f"{github.repository}@{github.ref} ({github.config_path}), type {spec.type}, build "
            f"on push {push}, GitHub integration {github.integration}; env {env}; secret env "
            f"{secret} (values stored by LangChain); {key}"
        )
    return lines
