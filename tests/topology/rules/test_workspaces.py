"""Rules of the workspaces section: ids, the control plane, unused workspaces."""

from __future__ import annotations

import pytest

from tests.helpers import errors_of, line_of, only_error, ref, valid

# -- uuid ---


@pytest.mark.parametrize(
    "bad", ["not-a-uuid", "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a0", "6f1e8c524b1e4b7e9a512d1d2f7e0a01"]
)
def test_workspace_id_must_be_uuid(bad):
    text = ref(("id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01", f"id: {bad}"))
    error = only_error(text)
    assert error.rule == "uuid"
    assert (error.line, error.col) == (line_of(text, bad), 9)


def test_listener_id_must_be_uuid_and_valid_one_passes():
    good = ref(
        (
            "    namespaces: [team-b]\n",
            "    namespaces: [team-b]\n    listenerId: 9e2f1a3b-0c4d-4e5f-8a6b-7c8d9e0f1a2b\n",
        )
    )
    assert valid(good).model.listeners["b-dev"].listener_id.startswith("9e2f")
    error = only_error(
        ref(("    namespaces: [team-b]\n", "    namespaces: [team-b]\n    listenerId: 42-abc\n"))
    )
    assert error.rule == "uuid"
    assert "listenerId '42-abc'" in error.message


# -- control-plane ---


def test_self_hosted_control_plane():
    urls = (
        "  hostBackendUrl: https://host.example.com\n  smithBackendUrl: https://smith.example.com\n"
    )
    good = ref(("  region: us\n", urls + "  egressCidrs: [198.51.100.0/24]\n"))
    assert valid(good).model.control_plane.region is None
    error = only_error(ref(("  region: us\n", urls)))
    assert error.rule == "control-plane"
    assert "needs 'egressCidrs'" in error.message
    error = only_error(
        ref(
            (
                "  region: us\n",
                urls.replace("https://host", "http://host") + "  egressCidrs: [198.51.100.0/24]\n",
            )
        )
    )
    assert "must start with https://" in error.message


def test_region_and_urls_together():
    error = only_error(
        ref(("  region: us\n", "  region: us\n  hostBackendUrl: https://h.example.com\n"))
    )
    assert error.rule == "schema"
    assert "give either 'region' or the backend URLs, not both" in error.message


# -- unused-workspace ---


def test_workspace_without_listeners_is_a_warning():
    text = ref(
        (
            "workspaces:\n",
            "workspaces:\n  C:\n    id: 0c3b6a3e-8f7d-4f0e-b3a5-9b1f2e4d5c03\n    apiKey: c.key\n",
        )
    )
    [warning] = [w for w in valid(text).warnings if w.rule != "unused-postgres"]
    assert warning.rule == "unused-workspace"
    assert warning.line == line_of(text, "  C:")


def test_all_errors_reported_at_once_sorted_by_position():
    text = ref(
        ("namespaces: [workspace-b]", "namespaces: [workspace-a]"),
        ("minSize: 2, maxSize: 6}", "minSize: 7, maxSize: 6}"),
        ("id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01", "id: nope"),
    )
    errors = errors_of(text)
    assert [e.rule for e in errors] == ["uuid", "node-group-size", "shared-namespace"]
    assert [e.line for e in errors] == sorted(e.line for e in errors)
