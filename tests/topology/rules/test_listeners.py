"""Rules of the listeners section: references, namespaces, compute ids."""

from __future__ import annotations

import pytest

from tests.helpers import REFERENCE_TEXT, errors_of, line_of, only_error, ref, valid

# -- reserved-namespace ---


@pytest.mark.parametrize("namespace", ["default", "kube-system", "kube-anything"])
def test_reserved_namespaces(namespace):
    text = ref(("namespaces: [team-b]", f"namespaces: [{namespace}]"))
    error = only_error(text)
    assert error.rule == "reserved-namespace"
    assert f"namespace '{namespace}' is reserved" in error.message
    assert (error.line, error.col) == (line_of(text, f"[{namespace}]"), 18)


def test_namespace_equal_to_another_listeners_release_namespace():
    text = ref(("namespaces: [team-b]", "namespaces: [langgraph-a-dev]"))
    error = only_error(text)
    assert error.rule == "reserved-namespace"
    assert "release namespace of listener 'a-dev'" in error.message


# -- unknown-reference ---


def test_unknown_workspace_suggests_the_closest():
    text = ref(("    workspace: B\n    cluster: beta", "    workspace: C\n    cluster: beta"))
    error = only_error(text)
    assert error.rule == "unknown-reference"
    assert error.message.startswith("unknown workspace 'C'")
    assert (error.line, error.col) == (line_of(text, "workspace: C"), 16)


def test_unknown_cluster_in_listener_and_in_stack():
    text = ref(
        ("    cluster: beta\n", "    cluster: betta\n"), ("{clusters: [beta]", "{clusters: [gamma]")
    )
    errors = [e for e in errors_of(text) if e.rule == "unknown-reference"]
    assert [e.message for e in errors] == [
        "unknown cluster 'betta' (did you mean 'beta'?)",
        "unknown cluster 'gamma' (known: alpha, beta, dev, single)",
    ]


# -- namespaces ---


def test_namespace_listed_twice_in_one_listener():
    text = ref(("namespaces: [team-a]", "namespaces: [team-a, team-a]"))
    error = only_error(text)
    assert error.rule == "duplicate-namespace"
    assert (error.line, error.col) == (line_of(text, "[team-a, team-a]"), 26)


def test_shared_namespace_between_listeners_of_one_cluster():
    text = ref(("namespaces: [workspace-b]", "namespaces: [workspace-a]"))
    error = only_error(text)
    assert error.rule == "shared-namespace"
    assert "already watched by listener 'a-single'" in error.message
    assert error.line == line_of(text, "namespaces: [workspace-a]", 2)


def test_same_namespace_in_different_clusters_is_fine():
    # a-prod and b-prod both use 'agents', in clusters alpha and beta.
    valid(REFERENCE_TEXT)


# -- compute-id ---


SECOND_A_DEV = "  a-dev-2:\n    workspace: A\n    cluster: dev\n    namespaces: [team-a2]\n"


def test_same_workspace_twice_in_a_cluster_needs_compute_ids():
    text = ref(("  b-dev:\n", SECOND_A_DEV + "  b-dev:\n"))
    error = only_error(text)
    assert error.rule == "compute-id"
    assert "give them distinct 'computeId'" in error.message
    assert error.line == line_of(text, "a-dev-2:")


def test_distinct_compute_id_fixes_it():
    valid(ref(("  b-dev:\n", SECOND_A_DEV + "    computeId: dev-2\n  b-dev:\n")))


def test_explicit_compute_id_colliding_with_a_cluster_name():
    text = ref(("  b-dev:\n", SECOND_A_DEV + "    computeId: alpha\n  b-dev:\n"))
    error = only_error(text)
    assert "computeId 'alpha' is already used by listener 'a-prod'" in error.message


def test_listener_id_and_adopt_exclude_each_other():
    from tests.helpers import REFERENCE_TEXT, edit, errors_of

    uuid_ = "0d2c4e6a-8b1f-4c3e-9a5d-7f0e2b4c6d8e"
    text = edit(
        REFERENCE_TEXT,
        "    namespaces: [team-a]\n",
        f"    namespaces: [team-a]\n    listenerId: {uuid_}\n    adopt: {uuid_}\n",
    )
    [error] = errors_of(text)
    assert error.rule == "compute-id"
    assert "keep one" in error.message
