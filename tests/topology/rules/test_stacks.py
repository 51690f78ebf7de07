"""Rules of the stacks section: each cluster in exactly one stack."""

from __future__ import annotations

from tests.helpers import line_of, only_error, ref, valid

# -- cluster-stack ---


def test_cluster_in_no_stack_is_a_warning():
    text = ref(("  single: {clusters: [single]}\n", ""))
    topology = valid(text)
    [warning] = [w for w in topology.warnings if w.rule != "unused-postgres"]
    assert warning.rule == "cluster-stack"
    assert "belongs to no stack" in warning.message
    assert warning.line == line_of(text, "  single:")


def test_cluster_in_two_stacks_is_an_error():
    text = ref(("dev: {clusters: [dev]}", "dev: {clusters: [dev, alpha]}"))
    error = only_error(text)
    assert error.rule == "cluster-stack"
    assert "cluster 'alpha' is also in stack 'prod-alpha'" in error.message
    assert (error.line, error.col) == (line_of(text, "[dev, alpha]"), 25)


def test_cluster_listed_twice_in_one_stack():
    error = only_error(ref(("dev: {clusters: [dev]}", "dev: {clusters: [dev, dev]}")))
    assert "lists it twice" in error.message
