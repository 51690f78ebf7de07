"""Rules of the names section: RFC 1123 keys, Helm release lengths, renames."""

from __future__ import annotations

import pytest

from tests.helpers import line_of, only_error, ref, valid

# -- rfc1123-name ---


@pytest.mark.parametrize(
    ("old", "new", "needle", "what"),
    [
        ("  a-dev:\n", "  A_dev:\n", "A_dev:", "listener name 'A_dev'"),
        ("  dev:\n    existing:", "  Dev:\n    existing:", "Dev:", "cluster name 'Dev'"),
        ("namespaces: [team-a]", "namespaces: [Team.A]", "Team.A", "namespace 'Team.A'"),
        ("support-bot: {redisDb: 1}", "support_bot: {redisDb: 1}", "support_bot", "deployment"),
        ("general: {instanceType", "General: {instanceType", "General:", "node group name"),
        ("  - name: llm-provider", "  - name: LLM provider", "LLM provider", "egress rule name"),
    ],
)
def test_rfc1123_names(old, new, needle, what):
    text = ref((old, new))
    if "cluster name" in what:  # the listeners and stack refer to the renamed cluster too
        text = text.replace("cluster: dev\n", "cluster: Dev\n").replace("[dev]", "[Dev]")
    error = only_error(text)
    assert error.rule == "rfc1123-name"
    assert what in error.message
    assert "RFC 1123" in error.message
    assert error.line == line_of(text, needle)


def test_namespace_longer_than_63_characters():
    long = "n" * 64
    error = only_error(ref(("namespaces: [team-a]", f"namespaces: [{long}]")))
    assert error.rule == "rfc1123-name"
    assert "64 characters long (at most 63)" in error.message


def test_workspace_names_are_label_values():
    text = ref(("  A:\n    id", "  -A:\n    id")).replace("workspace: A\n", "workspace: -A\n")
    error = only_error(text)
    assert error.rule == "label-value"
    assert error.line == line_of(text, "-A:")


# -- release-name-length ---


def test_release_name_longer_than_53():
    name = "a" * 54
    text = ref(("  b-single:\n", f"  {name}:\n"))
    error = only_error(text)
    assert error.rule == "release-name-length"
    assert "54 characters" in error.message
    assert (error.line, error.col) == (line_of(text, name), 3)


def test_a_listener_name_fits_the_charts_own_names():
    """The chart names its objects `<release>-langgraph-dataplane-<part>`: 34 characters is the
    most a listener name may have (a longer one validated before and then failed in Helm)."""
    valid(ref(("  b-single:\n", f"  {'b' * 34}:\n")))
    error = only_error(ref(("  b-single:\n", f"  {'b' * 35}:\n")))
    assert error.rule == "derived-names"
    assert "-langgraph-dataplane-" in error.message


# -- renamed-from ---


def test_renamed_from_rules():
    valid(ref(("  b-single:\n", "  b-single:\n    renamedFrom: b-one\n")))
    error = only_error(ref(("  b-single:\n", "  b-single:\n    renamedFrom: a-single\n")))
    assert "still a listener" in error.message
    error = only_error(ref(("  b-single:\n", "  b-single:\n    renamedFrom: b-single\n")))
    assert "names the listener itself" in error.message
