"""Test helpers: the reference topology and safe text edits of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from langsmith_dataplane.diagnostics import Diagnostic, TopologyError
from langsmith_dataplane.topology import ValidatedTopology, parse_topology

REPO = Path(__file__).resolve().parent.parent
# The project's own copy of the documented seed layouts (it must accept the reference unchanged).
REFERENCE = REPO / "topology.yaml"
REFERENCE_TEXT = REFERENCE.read_text()
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


def edit(text: str, old: str, new: str, count: int = 1) -> str:
    """Replace `old` with `new`, failing loudly if `old` is absent (so no test passes vacuously)."""
    found = text.count(old)
    assert found >= count, f"edit target not found {count}x (found {found}): {old!r}"
    return text.replace(old, new, count)


def ref(*edits: tuple[str, str]) -> str:
    text = REFERENCE_TEXT
    for old, new in edits:
        text = edit(text, old, new)
    return text


def errors_of(text: str) -> list[Diagnostic]:
    with pytest.raises(TopologyError) as info:
        parse_topology(text)
    return [d for d in info.value.diagnostics if d.severity == "error"]


def only_error(text: str) -> Diagnostic:
    errors = errors_of(text)
    assert len(errors) == 1, "\n".join(d.format() for d in errors)
    return errors[0]


def valid(text: str) -> ValidatedTopology:
    return parse_topology(text)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the `occurrence`-th line containing `needle`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found")
