"""Secret values never in the file; secret fields are config references."""

from __future__ import annotations

import pytest

from tests.helpers import errors_of, line_of, only_error, ref

# -- secret-value, secret-ref ---

KEY = "lsv2_pt_0123456789abcdef0123456789abcdef_0123456789"


def test_api_key_in_apikey_field_is_an_error_and_not_echoed():
    text = ref(("apiKey: workspaceB.apiKey", f"apiKey: {KEY}"))
    error = only_error(text)
    assert error.rule == "secret-value"
    assert KEY not in error.format()
    assert "lsv2" not in error.message
    assert (error.line, error.col) == (line_of(text, KEY), 13)


def test_api_key_anywhere_even_in_a_comment():
    text = ref(("  region: us\n", f"  region: us   # key: {KEY}\n"))
    error = only_error(text)
    assert error.rule == "secret-value"
    assert error.line == line_of(text, KEY)


def test_api_key_reported_even_when_the_schema_fails():
    text = ref(("  region: us\n", f"  regoin: us\n  hostBackendUrl: {KEY}\n"))
    rules = {d.rule for d in errors_of(text)}
    assert {"secret-value", "schema"} <= rules


def test_api_key_reference_must_be_a_config_name():
    error = only_error(ref(("apiKey: workspaceB.apiKey", "apiKey: 'my key!'")))
    assert error.rule == "secret-ref"
    assert "my key!" not in error.message  # a refused value is never repeated


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "    serviceKeys: {role: Editor, generation: 1}\n",
            "    apiKey: langsmith.adminKey\n",
            "apiKey",
        ),
        ("licenseKey: langgraph.licenseKey", "licenseKey: langsmith.adminKey", "licenseKey"),
    ],
)
def test_the_admin_key_never_reaches_a_workload(old, new, field):
    from tests.helpers import REPO, edit, errors_of

    text = edit((REPO / "examples/new-workspace.yaml").read_text(), old, new)
    errors = [e for e in errors_of(text) if e.rule == "admin-key-reuse"]
    assert len(errors) == 1
    assert errors[0].message.startswith(f"{field} names 'langsmith.adminKey'")


def test_the_admin_key_in_the_projects_namespace_is_the_same_value():
    from tests.helpers import REPO, edit, errors_of

    text = edit(
        (REPO / "examples/new-workspace.yaml").read_text(),
        "    serviceKeys: {role: Editor, generation: 1}\n",
        "    apiKey: 'langsmith-dataplane:langsmith.adminKey'\n",
    )
    assert [e.rule for e in errors_of(text) if e.rule == "admin-key-reuse"] == ["admin-key-reuse"]
