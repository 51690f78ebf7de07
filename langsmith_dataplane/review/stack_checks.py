"""The checks `pulumi up` makes of each `stacks/Pulumi.<stack>.yaml`, made by the review.

A change can leave a stack's config file as the merged code refuses it (a setting moved to
another key, a value out of range, a topology without the stack), and the diff of resources says
nothing: the first sign would be a failed `pulumi up` after the merge. The review runs the
program's own checks (`settings`, `stack_slice`) and Pulumi's type checks of the settings
`Pulumi.yaml` declares, naming file, line and key. Secrets the topology reads but the file does
not hold are a note, not a failure: they may come from a Pulumi ESC environment or be set at
deploy time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from langsmith_dataplane import settings
from langsmith_dataplane.topology.schema import Topology

PROJECT = settings.NAMESPACE


@dataclass(frozen=True)
class StackConfig:
    """One stack's config file as the work tree holds it."""

    stack: str
    path: str  # relative to the repository, as shown
    text: str
    values: dict[str, Any]

    def line_of(self, key: str) -> int:
        for number, line in enumerate(self.text.splitlines(), start=1):
            if re.match(rf"\s*['\"]?{re.escape(key)}['\"]?\s*:", line):
                return number
        return 1

    def topology(self) -> str:
        """The topology file this stack's program reads (relative to the project)."""
        value = self.values.get(settings.setting(settings.TOPOLOGY))
        return str(value) if value else settings.DEFAULT_TOPOLOGY


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,12}", value.strip()):
        return int(value)
    return None


def _problems(config: StackConfig, head: Topology) -> list[tuple[str, str]]:
    """(key, message) for each thing `pulumi up -s <stack>` would refuse."""
    values, stack = config.values, config.stack
    out: list[tuple[str, str]] = []
    moved = settings.moved_settings_message(
        stack, lambda key: values.get(f"{settings.OLD_NAMESPACE}:{key}")
    )
    if moved:
        first = next(k for k in settings.KEYS if f"{settings.OLD_NAMESPACE}:{k}" in values)
        out.append((f"{settings.OLD_NAMESPACE}:{first}", " ".join(moved.split())))
    for key in settings.BOOLEANS:
        name = settings.setting(key)
        if name in values and values[name] != "" and as_bool(values[name]) is None:
            out.append((name, f"{name} must be true or false (Pulumi.yaml: type boolean)"))
    for key in settings.INTEGERS:
        name = settings.setting(key)
        if name not in values or values[name] == "":
            continue
        number = as_int(values[name])
        if number is None:
            out.append((name, f"{name} must be a whole number (Pulumi.yaml: type integer)"))
        elif key == settings.REVISION_TIMEOUT and (
            why := settings.revision_timeout_problem(number)
        ):
            out.append((name, why))
    if stack not in head.stacks:
        known = ", ".join(sorted(head.stacks))
        out.append(
            (
                settings.setting(settings.TOPOLOGY),
                f"stack '{stack}' is not declared under 'stacks:' in {config.topology()} "
                f"(declared: {known}): `pulumi up -s {stack}` stops there",
            )
        )
    return out


def same_file(a: str, b: str) -> bool:
    """Do two project-relative paths name the same topology file?"""
    return PurePosixPath(a.replace("\\", "/")).as_posix().removeprefix("./") == PurePosixPath(
        b.replace("\\", "/")
    ).as_posix().removeprefix("./")


def stack_config_errors(configs: list[StackConfig], head: Topology, head_path: str) -> list[str]:
    """`file:line: error: message [stack-config]` for each stack reading `head_path`."""
    lines = []
    for config in configs:
        if not same_file(config.topology(), head_path):
            continue  # another topology: its own review covers it
        for key, message in _problems(config, head):
            lines.append(f"{config.path}:{config.line_of(key)}: error: {message} [stack-config]")
    return lines
