"""The rule registry: the reference passes every rule; every rule is named and described."""

from __future__ import annotations

from langsmith_dataplane.topology.rules import RULES
from tests.helpers import REFERENCE_TEXT, valid


def test_reference_passes_every_rule_with_only_the_unused_postgres_warnings():
    """The seed layouts declare a Postgres for two listeners without deployments: the stack
    creates none for them, and says so rather than ignoring it silently."""
    topology = valid(REFERENCE_TEXT)
    assert [(w.rule, w.line) for w in topology.warnings] == [
        ("unused-postgres", REFERENCE_TEXT.splitlines().index("    postgres:", 50) + 1),
        ("unused-postgres", REFERENCE_TEXT.splitlines().index("    postgres: {inCluster: {}}") + 1),
    ]
    assert set(topology.model.listeners) == {
        "a-prod",
        "b-prod",
        "a-dev",
        "b-dev",
        "a-single",
        "b-single",
    }


def test_every_rule_has_a_name_and_a_docstring():
    assert len(RULES) >= 20
    for name, check in RULES.items():
        assert name, check
        assert check.__doc__, name
