"""The README's rule table is the rules' own docstrings, and every rule is in it."""

from __future__ import annotations

from langsmith_dataplane.topology.rules import RULES, describe, markdown_table
from tests.helpers import REPO


def _readme_table() -> str:
    text = (REPO / "README.md").read_text()
    begin, end = "<!-- rules:begin -->\n", "<!-- rules:end -->"
    return text[text.index(begin) + len(begin) : text.index(end)]


def test_readme_rule_table_is_generated_from_the_rules():
    assert _readme_table() == markdown_table(), (
        "README's rule table is stale: paste `python -m langsmith_dataplane.topology.rules`"
    )


def test_every_registered_rule_has_a_row_and_a_description():
    table = _readme_table()
    for name, check in RULES.items():
        assert f"| `{name}` |" in table
        assert describe(check), f"rule {name} has no docstring"
