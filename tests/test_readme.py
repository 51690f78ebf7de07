"""The README's rule table and the registered rules say the same thing."""

from __future__ import annotations

import re

from langsmith_dataplane.topology.rules import RULES
from langsmith_dataplane.topology.validate import parse_topology  # noqa: F401  (registers all)
from tests.helpers import REPO

# Checks that are not registered rules: structure, YAML, and the text-wide key scan.
BUILT_IN = {"schema", "yaml", "secret-value"}


def readme_rules() -> set[str]:
    text = (REPO / "README.md").read_text()
    table = text[text.index("### The rules") : text.index("## Benchmarks")]
    names: set[str] = set()
    for cell in re.findall(r"^\| (`[^|]+`) \|", table, flags=re.M):
        names.update(re.findall(r"`([a-z0-9-]+)`", cell))
    return names


def test_every_rule_is_documented_and_every_documented_rule_exists():
    assert readme_rules() - BUILT_IN == set(RULES)
