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


@pytest.mark.parametrize(
    "pasted",
    [
        "0123456789abcdef0123456789abcdef",  # 32 hex digits
        "0123456789abcdef0123456789abcdef01234567",  # 40: a classic GitHub token's shape
        "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01",  # a UUID-shaped token
    ],
)
def test_a_hex_key_or_uuid_where_a_name_belongs_is_refused_and_never_echoed(pasted):
    from tests.helpers import REPO, edit, errors_of

    text = edit(
        (REPO / "examples/promotion.yaml").read_text(),
        "secretEnv: {OPENAI_API_KEY: openai.devKey}",
        f"secretEnv: {{OPENAI_API_KEY: '{pasted}'}}",
    )
    [error] = [e for e in errors_of(text) if e.rule == "secret-ref"]
    assert "looks like a credential itself" in error.message
    assert pasted not in error.format()


def test_a_token_in_a_repository_url_or_as_an_integration_is_never_echoed():
    from tests.helpers import REPO, edit, errors_of

    token = "ghp_" + "A1b2C3d4E5" * 4
    base = (REPO / "examples/promotion.yaml").read_text()
    url = edit(base, "https://github.com/example-org/", f"https://{token}@github.com/example-org/")
    as_name = edit(base, "integration: example-org", f"integration: {token}")
    for text, fragment in ((url, "[credentials removed]@github.com"), (as_name, "credential")):
        errors = errors_of(text)
        assert errors
        assert any(fragment in e.message for e in errors)
        for error in errors:
            assert token not in error.format()
            assert token not in error.format("github")
