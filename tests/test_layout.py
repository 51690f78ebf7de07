"""The house rules that keep the code easy to change, checked so they stay true.

Components take their own types (never the topology's); review code never reaches into
components; one HTTP transport; one did-you-mean; small modules (the schema's field table is the
one declarative exception).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import REPO

SOURCES = sorted(
    p
    for root in ("langsmith_dataplane", "components")
    for p in (REPO / root).rglob("*.py")
    if "__pycache__" not in p.parts
)
MAX_LINES = 360
DECLARATIVE = {"langsmith_dataplane/topology/schema.py"}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def users_of(*prefixes: str) -> set[str]:
    return {
        rel(p)
        for p in SOURCES
        if any(m == x or m.startswith(f"{x}.") for m in imports(p) for x in prefixes)
    }


def test_components_never_import_the_topology_or_the_slice():
    topology = users_of("langsmith_dataplane.topology", "langsmith_dataplane.stack_slice")
    assert not {p for p in topology if p.startswith("components/")}


def test_review_never_imports_components():
    assert not {p for p in users_of("components") if p.startswith("langsmith_dataplane/review/")}


def test_one_http_transport():
    assert users_of("requests", "urllib.request", "urllib3", "http.client") == {
        "langsmith_dataplane/api/transport.py"
    }


def test_one_suggester():
    assert users_of("difflib", "rapidfuzz") == {"langsmith_dataplane/suggest.py"}


@pytest.mark.parametrize("path", SOURCES, ids=rel)
def test_modules_stay_small(path):
    if rel(path) in DECLARATIVE:
        return
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{rel(path)} has {lines} lines: split it by responsibility"
