"""Rules of created workspaces and service keys: file:line:col for each, on the shipped example."""

from __future__ import annotations

import pytest

from tests.helpers import REPO, edit, errors_of, line_of, only_error, valid

EXAMPLE = (REPO / "examples/new-workspace.yaml").read_text()


def test_the_example_is_valid():
    model = valid(EXAMPLE).model
    assert model.workspaces["team-c"].id is None
    assert model.control_plane.admin_key == "langsmith.adminKey"


def test_a_workspace_needs_an_id_or_an_owner():
    text = edit(
        EXAMPLE,
        "    owner: platform-us           # this stack creates the workspace and keeps it\n",
        "",
    )
    error = only_error(text)
    assert error.rule == "workspace-source"
    assert (error.line, error.col) == (line_of(text, "  team-c:"), 3)
    assert "needs an 'id'" in error.message
    assert "'owner'" in error.message


def test_an_id_with_creation_fields_names_each_field():
    text = edit(
        EXAMPLE, "    displayName: Team C\n", "    id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01\n"
    )
    errors = [e for e in errors_of(text) if e.rule == "workspace-source"]
    assert {e.line for e in errors} == {
        line_of(text, "owner: platform-us"),
        line_of(text, "handle:"),
    }
    assert any("remove 'owner'" in e.message for e in errors)


def test_an_unknown_owner_stack_suggests_the_right_one():
    text = edit(EXAMPLE, "owner: platform-us ", "owner: platfrom-us ")
    error = only_error(text)
    assert error.rule == "workspace-owner"
    assert (error.line, error.col) == (line_of(text, "owner: platfrom-us"), 12)
    assert "unknown owner stack 'platfrom-us' (did you mean 'platform-us'?)" in error.message


@pytest.mark.parametrize("bad", ["Team_C", "team-c-", "-c", "a" * 64, "team c"])
def test_a_handle_is_a_lowercase_dns_label(bad):
    text = edit(EXAMPLE, "handle: team-c", f"handle: '{bad}'")
    errors = [e for e in errors_of(text) if e.rule == "workspace-handle"]
    assert len(errors) == 1
    assert (errors[0].line, errors[0].col) == (line_of(text, "handle: "), 13)


def test_a_display_name_uses_the_apis_characters():
    text = edit(EXAMPLE, "displayName: Team C", "displayName: 'Team C; DROP'")
    error = only_error(text)
    assert error.rule == "workspace-handle"
    assert "display name 'Team C; DROP'" in error.message


def test_two_created_workspaces_never_share_a_handle():
    second = "  team-d:\n    displayName: Team D\n    handle: team-c\n    owner: platform-us\n"
    text = edit(EXAMPLE, "\nclusters:\n", f"{second}\nclusters:\n")
    errors = [e for e in errors_of(text) if e.rule == "workspace-handle"]
    assert len(errors) == 1
    assert "same handle as workspace 'team-c'" in errors[0].message


def test_a_workspace_other_stacks_use_needs_a_handle():
    text = edit(EXAMPLE, "    handle: team-c\n", "")
    error = only_error(text)
    assert error.rule == "workspace-lookup"
    assert "also used by stack 'platform-eu'" in error.message
    # Used by its owner alone, no handle is needed.
    alone = edit(text, "    cluster: eu-west\n", "    cluster: us-east\n")
    alone = edit(alone, "    namespaces: [team-c]\n", "    namespaces: [team-c-eu]\n", count=2)
    assert not [e for e in errors_of(alone) if e.rule == "workspace-lookup"]


@pytest.mark.parametrize("missing", ["organizationId", "adminKey"])
def test_creating_needs_the_organisation_settings(missing):
    line = next(row for row in EXAMPLE.splitlines() if row.startswith(f"  {missing}:"))
    text = edit(EXAMPLE, line + "\n", "")
    error = only_error(text)
    assert error.rule == "organization"
    assert (error.line, error.col) == (line_of(text, "controlPlane:"), 1)
    assert f"controlPlane needs '{missing}'" in error.message
    assert "'team-c'" in error.message


def test_the_organisation_id_is_a_uuid():
    text = edit(EXAMPLE, "0b9b7c1e-3a5d-4f6e-8a7b-9c0d1e2f3a4b", "org-42")
    error = only_error(text)
    assert error.rule == "uuid"
    assert "organizationId 'org-42'" in error.message


def test_the_admin_key_is_a_reference_not_a_key():
    text = edit(
        EXAMPLE,
        "adminKey: langsmith.adminKey",
        "adminKey: lsv2_sk_0123456789abcdef0123456789abcdef_0123456789",
    )
    errors = errors_of(text)
    assert errors
    assert all("0123456789abcdef" not in e.message for e in errors)
    assert any(e.line == line_of(text, "adminKey:") for e in errors)


def test_a_rotation_without_an_owner_is_refused():
    text = edit(
        EXAMPLE,
        "    handle: team-c\n    owner: platform-us           # this stack creates the workspace and keeps it\n",
        "",
    )
    text = edit(
        text,
        "    displayName: Team C\n",
        "    id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01\n    apiKey: teamC.apiKey\n",
    )
    error = only_error(text)
    assert error.rule == "service-keys"
    assert (error.line, error.col) == (line_of(text, "serviceKeys:"), 5)
    assert "no stack owns it to rotate" in error.message


def test_a_referenced_workspace_with_its_own_key_needs_no_organisation():
    text = edit(
        EXAMPLE,
        "    displayName: Team C\n    handle: team-c\n    owner: platform-us           # this stack creates the workspace and keeps it\n    serviceKeys: {role: Editor, generation: 1}\n",
        "    id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01\n    apiKey: teamC.apiKey\n",
    )
    for line in (
        "  organizationId: 0b9b7c1e-3a5d-4f6e-8a7b-9c0d1e2f3a4b\n",
        "  adminKey: langsmith.adminKey\n",
    ):
        text = edit(text, line, "")
    assert valid(text).model.control_plane.organization_id is None


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("Organization Admin", "is an organisation role"),
        ("Viewer", "is read-only"),
        ("WORKSPACE_VIEWER", "is read-only"),
        ("ORGANIZATION_USER", "is an organisation role"),
        ("editor", "did you mean 'Editor'?"),
        ("' Editor'", "did you mean 'Editor'?"),
        ('"Editor\\n"', "did you mean 'Editor'?"),
        ("'x" + "y" * 120 + "'", "a role name has at most 100"),
    ],
)
def test_a_key_role_is_a_workspace_role_written_as_it_is(role, message):
    text = edit(EXAMPLE, "{role: Editor,", f"{{role: {role},")
    error = only_error(text)
    assert error.rule == "service-key-role"
    assert error.line == line_of(text, "serviceKeys:")
    assert message in error.message


@pytest.mark.parametrize("role", ["Admin", "WORKSPACE_USER", "Deployer (custom)"])
def test_workspace_and_custom_roles_are_accepted(role):
    valid(edit(EXAMPLE, "{role: Editor,", f"{{role: '{role}',"))


def test_adopting_names_the_field_and_deleting_an_adopted_workspace_is_pointed_out():
    adopted = "0d2c4e6a-8b1f-4c3e-9a5d-7f0e2b4c6d8e"
    text = edit(EXAMPLE, "    handle: team-c\n", f"    handle: team-c\n    adopt: {adopted}\n")
    valid(text)
    allowed = edit(
        text, f"    adopt: {adopted}\n", f"    adopt: {adopted}\n    allowDeletion: true\n"
    )
    [warning] = [d for d in valid(allowed).warnings if d.rule == "workspace-adopt"]
    assert "which this stack did not create" in warning.message
    assert warning.line == line_of(allowed, "allowDeletion: true")
