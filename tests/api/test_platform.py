"""The platform API client (workspaces, service keys, roles) against a faithful local fake over
real HTTP: every request and response checked against the published platform document."""

from __future__ import annotations

import pytest

from langsmith_dataplane.api.platform import (
    RolesClient,
    ServiceKeysClient,
    WorkspacesClient,
    platform,
)
from langsmith_dataplane.api.transport import ApiError, NotFoundError
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


def test_a_workspace_is_created_once_and_adopted_by_its_handle(api):
    workspaces = WorkspacesClient(transport(api))
    first, adopted = workspaces.create("Team C", "team-c")
    assert not adopted
    again, adopted = workspaces.create("Team C (renamed)", "team-c")
    assert adopted
    assert again.id == first.id
    assert len(api.platform.workspaces) == 1
    assert workspaces.get(first.id).handle == "team-c"


def test_a_workspace_without_a_handle_is_found_by_its_name(api):
    workspaces = WorkspacesClient(transport(api))
    first, _ = workspaces.create("Research", None)
    assert workspaces.create("Research", None) == (first, True)


def test_rename_delete_and_gone_is_done(api):
    workspaces = WorkspacesClient(transport(api))
    created, _ = workspaces.create("Team D", "team-d")
    assert workspaces.rename(created.id, "Team Delta").display_name == "Team Delta"
    workspaces.delete(created.id)
    assert workspaces.get(created.id) is None  # deleted in the UI reads as gone
    workspaces.delete(created.id)  # 404: already done, no error


def test_a_service_key_is_scoped_to_its_workspace_with_a_role_and_its_value_is_returned_once(
    api,
):
    workspace, _ = WorkspacesClient(transport(api)).create("Team C", "team-c")
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
    workspace, _ = WorkspacesClient(transport(api)).create("Team C", "team-c")
    keys = ServiceKeysClient(transport(api))
    lost = keys.create(workspace.id, "langsmith-dataplane c-dev", None)
    again = keys.create(workspace.id, "langsmith-dataplane c-dev", None)
    assert list(api.platform.service_keys) == [again.record.id]
    assert not keys.exists(workspace.id, lost.record.id)
    keys.delete(again.record.id)
    keys.delete(again.record.id)  # 404: already revoked is done
    assert api.platform.service_keys == {}


def test_an_unknown_role_names_the_roles_there_are(api):
    with pytest.raises(NotFoundError, match=r"no such role .*Admin, Editor, Viewer"):
        RolesClient(transport(api)).find("Owner")


def test_a_key_of_another_organisation_gets_a_clear_403_without_the_key(api):
    other = "9a8b7c6d-1111-4222-8333-444455556666"
    with pytest.raises(ApiError) as info:
        WorkspacesClient(transport(api, org=other)).all()
    message = str(info.value)
    assert "(403)" in message
    assert f"organisation admin's key of organisation {other}" in message
    assert ADMIN not in message


def test_a_request_the_api_rejects_gets_a_clear_422(api):
    workspace, _ = WorkspacesClient(transport(api)).create("Team C", "team-c")
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
