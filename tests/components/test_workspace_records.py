"""`Workspace` and `WorkspaceLookup` providers through every lifecycle path, over real HTTP
against the fake platform API (every request and response checked against the document)."""

from __future__ import annotations

import uuid

import pytest

from components.workspace_records import WorkspaceLookupProvider, WorkspaceProvider
from langsmith_dataplane.api.transport import ApiError
from langsmith_dataplane.naming import created_workspace_ids
from tests.artifacts import platform_openapi
from tests.fake_control_plane import FakeControlPlane, RunningControlPlane
from tests.fake_platform import Platform

ORG = "3b0f8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
ADMIN = "lsv2_sk_workspace_test_admin_key_00000000"


@pytest.fixture
def api():
    fake = Platform(ORG, {ADMIN}, openapi=platform_openapi())
    with RunningControlPlane(FakeControlPlane(platform=fake)) as running:
        running.platform = fake  # type: ignore[attr-defined]
        yield running
    assert fake.violations == []


def props(api, **extra):
    handle = extra.get("handle", "team-c")
    return {
        "kind": "langsmith-workspace",
        "base_url": api.url,
        "organization_id": ORG,
        "admin_key": ADMIN,
        "display_name": "Team C",
        "handle": handle,
        "allow_deletion": False,
        "ids": list(created_workspace_ids(ORG, "dev", "team-c", handle)),
        "adopt": None,
        **extra,
    }


def live(api) -> list[dict]:
    return [w for w in api.platform.workspaces.values() if not w["is_deleted"]]


def test_create_then_a_repeated_create_recognises_its_own_instead_of_duplicating(api):
    provider = WorkspaceProvider()
    first = provider.create(props(api))
    assert first.outs["adopted"] is False
    # A create whose result never reached the state (the engine killed, a lost response), or
    # the workspace kept when it left the topology: recognised by the id the stack gave it.
    again = provider.create(props(api))
    assert again.id == first.id
    assert again.outs["adopted"] is False  # the stack's own, not someone else's
    assert len(live(api)) == 1


def test_someone_elses_workspace_is_taken_over_only_when_the_topology_adopts_it(api):
    theirs = WorkspaceProvider().create(props(api, ids=[str(uuid.uuid4())]))
    with pytest.raises(ApiError, match=rf"held by workspace {theirs.id}.*adopt: {theirs.id}"):
        WorkspaceProvider().create(props(api))
    adopted = WorkspaceProvider().create(props(api, adopt=theirs.id, display_name="Ours now"))
    assert adopted.id == theirs.id
    assert adopted.outs["adopted"] is True
    assert api.platform.workspaces[theirs.id]["display_name"] == "Ours now"
    WorkspaceProvider().delete(adopted.id, adopted.outs)  # no allowDeletion: kept
    assert api.platform.workspaces[theirs.id]["is_deleted"] is False


def test_a_rename_updates_in_place_and_a_new_handle_replaces(api):
    provider = WorkspaceProvider()
    created = provider.create(props(api))
    renamed = props(api, display_name="Team Charlie")
    diff = provider.diff(created.id, created.outs, renamed)
    assert diff.changes
    assert not diff.replaces
    provider.update(created.id, created.outs, renamed)
    assert api.platform.workspaces[created.id]["display_name"] == "Team Charlie"
    diff = provider.diff(created.id, created.outs, props(api, handle="team-charlie"))
    assert diff.replaces == ["handle"]
    assert diff.delete_before_replace is False


def test_refresh_after_deletion_in_the_ui_forgets_it_and_the_next_up_recreates(api):
    provider = WorkspaceProvider()
    created = provider.create(props(api))
    api.platform.workspaces[created.id]["is_deleted"] = True  # deleted in the UI
    assert provider.read(created.id, created.outs).id is None
    recreated = provider.create(props(api))
    assert recreated.id != created.id  # the next id the stack gives it (a used one is never reused)
    assert recreated.outs["adopted"] is False


def test_destroy_keeps_the_workspace_unless_deletion_is_allowed(api, capsys):
    provider = WorkspaceProvider()
    kept = provider.create(props(api))
    capsys.readouterr()
    provider.delete(kept.id, kept.outs)
    assert api.platform.workspaces[kept.id]["is_deleted"] is False  # traces and datasets stay
    # One line the engine shows, not only `delete[retain]`.
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"workspace {kept.outs['handle']} ({kept.id}) kept in LangSmith")
    allowed = provider.create(props(api, display_name="Scratch", handle="scratch"))
    allowed_outs = {**allowed.outs, "allow_deletion": True}
    provider.delete(allowed.id, allowed_outs)
    assert api.platform.workspaces[allowed.id]["is_deleted"] is True
    provider.delete(allowed.id, allowed_outs)  # already gone: done, no error


def test_a_key_of_another_organisation_is_refused_with_a_clear_message(api):
    with pytest.raises(ApiError) as info:
        WorkspaceProvider().create(props(api, admin_key="lsv2_sk_not_an_admin_0000000000000"))
    assert "(401)" in str(info.value)
    other = "9a8b7c6d-1111-4222-8333-444455556666"
    with pytest.raises(ApiError) as info:
        WorkspaceProvider().create(props(api, organization_id=other))
    message = str(info.value)
    assert "(403)" in message
    assert f"admin's key of organisation {other}" in message
    assert ADMIN not in message


def test_a_display_name_the_api_rejects_is_a_clear_422(api):
    """(The topology's rules refuse it first; this is the API's own answer.)"""
    with pytest.raises(ApiError, match=r"creating workspace 'Team C!'.*\(422\)"):
        WorkspaceProvider().create(props(api, display_name="Team C!", handle="x"))
    assert [v for v in api.platform.violations if "display_name" in v]
    api.platform.violations.clear()  # the schema's verdict, expected here


def test_another_stack_finds_the_workspace_by_handle_and_forgets_it_without_deleting(api):
    created = WorkspaceProvider().create(props(api))
    lookup = WorkspaceLookupProvider()
    found = lookup.create(props(api, kind="langsmith-workspace-lookup", owner="platform"))
    assert found.id == created.id
    lookup.delete(found.id, found.outs)
    assert api.platform.workspaces[created.id]["is_deleted"] is False


def test_a_lookup_before_the_owner_ran_says_which_stack_to_run_first(api):
    with pytest.raises(
        ApiError, match=r"handle 'team-c' does not exist yet.*pulumi up -s platform"
    ):
        WorkspaceLookupProvider().create(props(api, owner="platform"))
