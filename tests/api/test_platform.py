"""The platform API client (workspaces, service keys, roles) against a faithful local fake over
real HTTP: every request and response checked against the published platform document."""

from __future__ import annotations

import pytest

from langsmith_dataplane.api.platform import WorkspacesClient, platform
from langsmith_dataplane.api.service_keys import RolesClient, ServiceKeysClient
from langsmith_dataplane.api.transport import ApiError, ConflictError, NotFoundError
from langsmith_dataplane.naming import created_workspace_ids
from tests.artifacts import platform_openapi
from tests.fake_control_plane import FakeControlPlane, RunningControlPlane
from tests.fake_platform import Platform

ORG = "3b0f8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
ADMIN = "lsv2_sk_platform_test_admin_key_0000000000"


@pytest.fixture
def api():
    fake = Platform(ORG, {ADMIN}, openapi=platform_openapi())
    with RunningControlPlane(FakeControlPlane(platform=fake)) as running:
        running.platform = fake  # type: ignore[attr-defined]
        yield running
    assert fake.violations == []  # every request and response matched the published schemas


def transport(api, key: str = ADMIN, org: str = ORG):
    return platform(api.url, key, org, timeout=5, sleep=lambda _: None)


def ids(key: str, handle: str | None = None) -> tuple[str, ...]:
    return created_workspace_ids(ORG, "dev", key, handle)


def new_workspace(api, name: str = "Team C", handle: str | None = "team-c"):
    workspace, existed = WorkspacesClient(transport(api)).create(name, handle, ids(name, handle))
    assert not existed
    return workspace


def test_a_workspace_gets_the_id_the_stack_gives_it_and_is_recognised_by_it(api):
    workspaces = WorkspacesClient(transport(api))
    first, existed = workspaces.create("Team C", "team-c", ids("team-c", "team-c"))
    assert not existed
    assert first.id == ids("team-c", "team-c")[0]
    # A second create (a lost answer, or a workspace kept when it left the topology) finds
    # the stack's own workspace by that id, whatever it is called now.
    workspaces.rename(first.id, "Team C (renamed in the UI)")
    again, existed = workspaces.create("Team C", "team-c", ids("team-c", "team-c"))
    assert existed
    assert again.id == first.id
    assert len(api.platform.workspaces) == 1
    assert workspaces.get(first.id).handle == "team-c"


def test_a_workspace_of_the_same_display_name_is_never_taken_over(api):
    """Display names are not unique: someone else's 'Research' is left alone, and the stack's
    own is a workspace of its own."""
    workspaces = WorkspacesClient(transport(api))
    theirs, _ = workspaces.create("Research", None, ids("someone-else"))
    mine, existed = workspaces.create("Research", None, ids("research"))
    assert not existed
    assert mine.id != theirs.id
    assert len(api.platform.workspaces) == 2


def test_a_handle_someone_else_holds_is_an_error_naming_adopt(api):
    workspaces = WorkspacesClient(transport(api))
    theirs, _ = workspaces.create("Theirs", "team-c", ids("made-elsewhere", "team-c"))
    with pytest.raises(ConflictError, match=rf"held by workspace {theirs.id}.*adopt: {theirs.id}"):
        workspaces.create("Team C", "team-c", ids("team-c", "team-c"))
    assert len(api.platform.workspaces) == 1
    assert workspaces.adopt(theirs.id, "team-c") == theirs  # taken over only when asked
    with pytest.raises(ApiError, match=r"its handle is 'team-c', not 'team-d'"):
        workspaces.adopt(theirs.id, "team-d")
    with pytest.raises(NotFoundError, match=r"no live workspace with that id"):
        workspaces.adopt("0c3b6a3e-8f7d-4f0e-b3a5-9b1f2e4d5c02", None)


def test_an_id_of_a_deleted_workspace_is_skipped_for_the_next(api):
    workspaces = WorkspacesClient(transport(api))
    first = new_workspace(api)
    workspaces.delete(first.id)
    again = new_workspace(api)
    assert again.id == ids("Team C", "team-c")[1]


def test_a_create_whose_answer_was_lost_is_recognised_by_its_id(api):
    api.state.fault("POST", "/api/v1/workspaces", "act-then-drop")
    workspace = new_workspace(api)
    assert list(api.platform.workspaces) == [workspace.id]


def test_rename_delete_and_gone_is_done(api):
    workspaces = WorkspacesClient(transport(api))
    created = new_workspace(api, "Team D", "team-d")
    assert workspaces.rename(created.id, "Team Delta").display_name == "Team Delta"
    workspaces.delete(created.id)
    assert workspaces.get(created.id) is None  # deleted in the UI reads as gone
    workspaces.delete(created.id)  # 404: already done, no error


def test_a_service_key_is_scoped_to_its_workspace_with_a_role_and_its_value_is_returned_once(
    api,
):
    workspace = new_workspace(api)
    role = RolesClient(transport(api)).find("Admin")
    keys = ServiceKeysClient(transport(api))
    created = keys.create(workspace.id, "langsmith-dataplane c-dev", role.id)
    assert created.key.startswith("lsv2_sk_")
    assert created.key not in repr(created)
    [stored] = api.platform.service_keys.values()
    assert stored["_workspaces"] == [workspace.id]
    assert stored["role_id"] == role.id
    assert keys.exists(workspace.id, created.record.id)
    listed = keys.of_workspace(workspace.id)
    assert [k.id for k in listed] == [created.record.id]
    assert all("key" not in vars(k) for k in listed)


def test_a_key_whose_create_response_was_lost_leaves_no_orphan(api):
    """The value of a key is returned once: a key found under the same description was made
    by a create whose answer never arrived, so it is revoked before the key is made again."""
    workspace = new_workspace(api)
    keys = ServiceKeysClient(transport(api))
    editor = RolesClient(transport(api)).find("Editor").id
    lost = keys.create(workspace.id, "langsmith-dataplane c-dev", editor)
    again = keys.create(workspace.id, "langsmith-dataplane c-dev", editor)
    assert list(api.platform.service_keys) == [again.record.id]
    assert not keys.exists(workspace.id, lost.record.id)
    keys.delete(again.record.id)
    keys.delete(again.record.id)  # 404: already revoked is done
    assert api.platform.service_keys == {}


def test_an_unknown_role_names_the_workspace_roles_there_are(api):
    with pytest.raises(NotFoundError, match=r"no such workspace role \(Admin, Editor, Viewer\)"):
        RolesClient(transport(api)).find("Owner")


def test_roles_are_picked_by_scope_never_an_organisation_role(api):
    roles = RolesClient(transport(api))
    # 'Viewer' names an organisation role AND a workspace role: the workspace one is taken.
    viewer = roles.find("Viewer")
    assert (viewer.name, viewer.access_scope) == ("WORKSPACE_VIEWER", "workspace")
    with pytest.raises(NotFoundError, match=r"'Organization Admin': it is an organisation role"):
        roles.find("Organization Admin")


def test_a_role_changes_in_place_and_the_key_keeps_working(api):
    workspace = new_workspace(api)
    roles = RolesClient(transport(api))
    keys = ServiceKeysClient(transport(api))
    created = keys.create(workspace.id, "langsmith-dataplane c-dev", roles.find("Viewer").id)
    changed = keys.set_role(created.record.id, roles.find("Editor").id)
    assert changed.id == created.record.id
    [stored] = api.platform.service_keys.values()
    assert stored["role_id"] == roles.find("Editor").id
    assert stored["_secret"] == created.key


def test_a_key_the_service_made_organisation_wide_is_revoked_and_the_create_fails(api):
    """`workspaces` is feature-flagged: without the flag the key opens every workspace."""
    workspace = new_workspace(api)
    api.platform.scopes_keys_to_workspaces = False
    keys = ServiceKeysClient(transport(api))
    with pytest.raises(ApiError, match=r"wider than workspace .*access scope is organization"):
        keys.create(
            workspace.id, "langsmith-dataplane c-dev", RolesClient(transport(api)).find("Editor").id
        )
    assert api.platform.service_keys == {}  # revoked at once


def test_a_key_of_another_organisation_gets_a_clear_403_without_the_key(api):
    other = "9a8b7c6d-1111-4222-8333-444455556666"
    with pytest.raises(ApiError) as info:
        WorkspacesClient(transport(api, org=other)).all()
    message = str(info.value)
    assert "(403)" in message
    assert f"organisation admin's key of organisation {other}" in message
    assert ADMIN not in message


def test_a_request_the_api_rejects_gets_a_clear_422(api):
    workspace = new_workspace(api)
    keys = ServiceKeysClient(transport(api))
    with pytest.raises(ApiError, match=r"creating the service key 'x'.*\(422\).*role_id"):
        keys.create(workspace.id, "x", "00000000-0000-4000-8000-000000000000")


def test_retries_5xx_and_429_then_succeeds(api):
    api.state.fault("GET", "/api/v1/workspaces", 503)
    api.state.fault("GET", "/api/v1/workspaces", (429, 1), nth=2)
    sleeps: list[float] = []
    client = WorkspacesClient(platform(api.url, ADMIN, ORG, timeout=5, sleep=sleeps.append))
    assert client.all() == []
    assert 1 in sleeps  # Retry-After honoured
