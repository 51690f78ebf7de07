"""The quick read (`read_plain`) agrees with the position-keeping loader, or hands the file over.

The loader is the reference: whatever it reads, the quick read reads the same data and locates
the same positions, or gives None; whatever it refuses, the quick read gives None, so the loader
reports it."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from langsmith_dataplane.diagnostics import TopologyError
from langsmith_dataplane.topology import parse_topology
from langsmith_dataplane.topology.loader import (
    MAX_DEPTH,
    load_yaml,
    node_budget,
    read_with_positions,
)
from langsmith_dataplane.topology.plain_yaml import read_plain
from tests.helpers import REFERENCE_TEXT

KEYS = st.sampled_from(["a", "b", "on", "1", "null", "<<", "x y", "ümlaut"])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["yes", "0x1bb", "1e3", "007", "7:23", ".inf", "2024-01-01", "~", "<<"]),
    st.text(max_size=8),
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=20,
)
# Edits that make a file unusual: the quick read must hand each of them to the loader.
EDITS = [
    lambda t: t,
    lambda t: t + "---\nsecond: document\n",
    lambda t: "base: &base {k: 1}\n" + t,
    lambda t: "base: &base {k: 1}\nuse: *base\n" + t,
    lambda t: "m:\n  <<: {k: 1}\n" + t,
    lambda t: "tagged: !!str 1\n" + t,
    lambda t: t + t,  # every top-level key twice
    lambda t: "? [a, b]\n: 1\n" + t,
    lambda t: "bad: yes\n" + t,
    lambda t: "bad: [unclosed\n" + t,
    lambda t: "deep: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n" + t,
]


def reference(text: str):
    """What the position-keeping loader reads, or the error it reports."""
    try:
        return read_with_positions(text, "t.yaml").data
    except TopologyError as exc:
        return exc


def quick(text: str):
    plain = read_plain(text, max_depth=MAX_DEPTH, max_nodes=node_budget(text))
    return None if plain is None else plain.data


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=st.dictionaries(KEYS, DOCUMENTS, min_size=1, max_size=5),
    flow=st.sampled_from([None, True, False]),
    edit=st.sampled_from(EDITS),
)
def test_the_quick_read_reads_what_the_loader_reads_or_hands_it_over(data, flow, edit):
    text = edit(yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True))
    expected, got = reference(text), quick(text)
    if isinstance(expected, TopologyError) or not isinstance(expected, dict):
        assert got is None
    elif got is not None:
        assert got == expected
        assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
        located, eager = (
            load_yaml(text, "t.yaml").source,
            read_with_positions(text, "t.yaml").source,
        )
        assert not located.located
        assert (located.values, located.keys, located.raw) == (eager.values, eager.keys, eager.raw)


@pytest.mark.parametrize("edit", EDITS[1:], ids=range(1, len(EDITS)))
def test_every_unusual_file_goes_to_the_loader(edit):
    assert quick(edit("a: 1\n")) is None


def test_more_nodes_than_the_budget_go_to_the_loader():
    text = "a: [" + ", ".join(["1"] * 200) + "]\n"  # 202 nodes: the mapping, the list, 200 items
    assert read_plain(text, max_depth=MAX_DEPTH, max_nodes=201) is None
    plain = read_plain(text, max_depth=MAX_DEPTH, max_nodes=202)
    assert plain is not None
    assert plain.data == {"a": [1] * 200}


def test_a_file_without_findings_is_never_located_and_locates_the_same_positions_on_use():
    document = load_yaml(REFERENCE_TEXT, "topology.yaml")
    assert not document.source.located
    eager = read_with_positions(REFERENCE_TEXT, "topology.yaml").source
    assert document.source.values == eager.values  # first use locates
    assert document.source.keys == eager.keys
    assert document.source.raw == eager.raw
    assert document.source.located


def test_a_valid_file_with_a_warning_points_at_the_line_the_loader_gives():
    text = REFERENCE_TEXT
    validated = parse_topology(text)
    assert validated.warnings  # the reference's unused Postgres: located after the quick read
    for warning in validated.warnings:
        assert text.splitlines()[warning.line - 1].strip().startswith("postgres")
