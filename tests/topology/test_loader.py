"""The position-keeping YAML loader: positions, anchors, merges and hostile input."""

from __future__ import annotations

import pytest

from langsmith_dataplane.diagnostics import TopologyError
from langsmith_dataplane.topology.loader import MIN_NODE_BUDGET, decode, load_yaml
from langsmith_dataplane.topology.source_map import Position


def load(text: str):
    return load_yaml(text, "t.yaml")


def fails(text: str):
    with pytest.raises(TopologyError) as info:
        load(text)
    [diagnostic] = info.value.diagnostics
    return diagnostic


def test_positions_of_keys_and_values_are_one_based():
    doc = load("a:\n  b: [x, y]\n  c: {d: 1}\n")
    assert doc.data == {"a": {"b": ["x", "y"], "c": {"d": 1}}}
    assert doc.source.keys[("a", "b")] == Position(2, 3)
    assert doc.source.values[("a", "b")] == Position(2, 6)
    assert doc.source.values[("a", "b", 1)] == Position(2, 10)
    assert doc.source.keys[("a", "c", "d")] == Position(3, 7)


def test_missing_paths_fall_back_to_the_nearest_parent():
    doc = load("a:\n  b: 1\n")
    assert doc.source.value(("a", "b", "nope")) == Position(2, 6)
    assert doc.source.key(("a", "b", "zzz")) == Position(2, 3)


def test_keys_stay_strings_values_follow_yaml_types():
    doc = load("on: true\n1: 1.5\nnull: ~\nq: '007'\n")
    assert doc.data == {"on": True, "1": 1.5, "null": None, "q": "007"}
    assert doc.source.raw[("on",)] == ("true", False)
    assert doc.source.raw[("q",)] == ("007", True)


def test_anchors_aliases_and_merge_keys():
    text = (
        "base: &base {instanceType: m6i.large, minSize: 1, maxSize: 3}\n"
        "groups:\n"
        "  a: *base\n"
        "  b:\n"
        "    <<: *base\n"
        "    maxSize: 9\n"
        "  c:\n"
        "    <<: [{x: 1}, {x: 2, y: 2}]\n"
    )
    data = load(text).data
    assert data["groups"]["a"] == {"instanceType": "m6i.large", "minSize": 1, "maxSize": 3}
    assert data["groups"]["b"] == {"instanceType": "m6i.large", "minSize": 1, "maxSize": 9}
    assert data["groups"]["c"] == {"x": 1, "y": 2}


def test_merged_values_point_at_the_merge():
    doc = load("b: &b {k: 1}\nc:\n  <<: *b\n")
    assert doc.source.value(("c", "k")) == Position(3, 7)


def test_explicit_key_after_merge_is_not_a_duplicate():
    assert load("b: &b {k: 1}\nc:\n  <<: *b\n  k: 2\n").data["c"] == {"k": 2}


def test_billion_laughs_is_refused_early():
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*l{i - 1}"] * 9)
        lines.append(f"l{i}: &l{i} [{refs}]")
    error = fails("\n".join(lines) + "\n")
    assert "alias bomb" in error.message
    assert f"{MIN_NODE_BUDGET:,}" in error.message
    assert error.line <= 10


def test_modest_alias_use_is_fine():
    text = "a: &a [1, 2, 3]\n" + "".join(f"k{i}: *a\n" for i in range(1000))
    assert len(load(text).data) == 1001


@pytest.mark.parametrize("opener", ["[", "{a: ", "- "])
def test_deep_nesting_is_refused_without_crashing(opener):
    text = "x:\n  " + opener * 100_000 + "1"
    error = fails(text)
    assert "nesting is deeper than 64 levels" in error.message


def test_duplicate_keys_name_the_first_line():
    error = fails("a: 1\nb: 2\na: 3\n")
    assert (error.line, error.col) == (3, 1)
    assert error.message == "duplicate key 'a' (first defined at line 1)"


def test_tab_indentation():
    error = fails("a:\n\tb: 1\n")
    assert (error.line, error.col) == (2, 1)
    assert "tab character" in error.message


def test_multiple_documents():
    assert "one YAML document" in fails("a: 1\n---\nb: 2\n").message


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty(text):
    assert "the file is empty" in fails(text).message


def test_non_mapping_root_names_its_type():
    assert "not a list" in fails("- 1\n").message
    assert "not the number 3" in fails("3\n").message


def test_unknown_tag_and_bad_timestamp():
    assert "cannot read this value" in fails("a: !secret x\n").message
    assert fails("a: !!int zz\n").line == 1


def test_control_characters_are_reported_with_position():
    error = fails("a: 1\nb: \x07\n")
    assert (error.line, error.col) == (2, 4)
    assert error.message == "invalid YAML: character U+0007 is not allowed in YAML text"


def test_invalid_utf8_names_line_and_column():
    with pytest.raises(TopologyError) as info:
        decode(b"a: 1\nbb: \xff\n", "t.yaml")
    [error] = info.value.diagnostics
    assert (error.line, error.col) == (2, 5)
    assert "not valid UTF-8 (byte 0xff)" in error.message


def test_utf8_bom_is_accepted():
    assert load(decode(b"\xef\xbb\xbfa: 1\n", "t.yaml")).data == {"a": 1}
