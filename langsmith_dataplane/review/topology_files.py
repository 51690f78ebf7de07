"""Which topology files the project's stacks read, so CI reviews and deploys every one.

Each `stacks/Pulumi.<stack>.yaml` may name its own file in `langsmith-dataplane:topology`
(default `topology.yaml`). A workflow that only knew `topology.yaml` gave a stack reading
another file no review and no deploy. The names end up in shell loops and workflow
annotations, so only plain relative paths inside the project are accepted.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from langsmith_dataplane import settings
from langsmith_dataplane.review.git_revision import GitError, work_tree_stack_files

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")


class TopologyFileError(Exception):
    """A stack names a topology file CI cannot use (file:line: message)."""


def _normal(name: str) -> str | None:
    """The path as CI uses it, or None when it is not a plain path inside the project."""
    path = PurePosixPath(name.removeprefix("./"))
    text = path.as_posix()
    if not _PLAIN.fullmatch(text) or path.is_absolute() or ".." in path.parts:
        return None
    return text


def topology_files(project: Path) -> dict[str, list[str]]:
    """Topology file -> the stacks that read it (the default file always listed when it
    exists, even with no stack file naming it)."""
    try:
        configs = work_tree_stack_files(project)
    except GitError as exc:
        raise TopologyFileError(str(exc)) from None
    out: dict[str, list[str]] = {}
    if (project / settings.DEFAULT_TOPOLOGY).is_file():
        out[settings.DEFAULT_TOPOLOGY] = []
    key = settings.setting(settings.TOPOLOGY)
    for config in configs:
        name = _normal(config.topology())
        where = f"{config.path}:{config.line_of(key)}"
        if name is None:
            raise TopologyFileError(
                f"{where}: error: {key} must be a relative path inside the project "
                f"(letters, digits, . _ - /), not {config.topology()!r} [stack-config]"
            )
        if not (project / name).is_file():
            raise TopologyFileError(
                f"{where}: error: {key} names {name}, which does not exist [stack-config]"
            )
        out.setdefault(name, []).append(config.stack)
    return {name: sorted(stacks) for name, stacks in sorted(out.items())}
