"""`ServiceKey` through every lifecycle path over real HTTP against the fake platform API,
and the key it makes used against the fake control plane (the component that decides)."""

from __future__ import annotations

import pytest

from components.service_key import ServiceKeyProvider
from components.workspace_records import WorkspaceProvider
from langsmith_dataplane.api.control_plane import control_plane
from langsmith_dataplane.api.listeners import ListenersClient
from langsmith_dataplane.api.transport import ApiError
from langsmith_dataplane.naming import created_workspace_ids, service_key_description
from tests.artifacts import control_plane_openapi, platform_openapi
from tests.fake_control_plane import FakeControlPlane, RunningControlPlane
from tests.fake_platform import Platform

ORG = "3b0f8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
ADMIN = "lsv2_sk_service_key_test_admin_key_000000"


@pytest.fixture
def api():
    fake = Platform(ORG, {ADMIN}, openapi=platform_openapi())
    state = FakeControlPlane(platform=fake, openapi=control_plane_openapi())
    with RunningControlPlane(state) as running:
        running.platform = fake  # type: ignore[attr-defined]
        yield running
    assert fake.violations == []
    assert state.violations == []


@pytest.fixture
def workspace(api) -> str:
    created = WorkspaceProvider().create(
        {
            "base_url": api.url,
            "organization_id": ORG,
            "admin_key": ADMIN,
            "display_name": "Team C",
            "handle": "team-c",
            "ids": list(created_workspace_ids(ORG, "dev", "team-c", "team-c")),
        }
    )
    return created.id


def props(api, workspace: str, generation: int = 1, role: str = "Editor") -> dict:
    return {
        "kind": "langsmith-service-key",
        "base_url": api.url,
        "organization_id": ORG,
        "admin_key": ADMIN,
        "workspace_id": workspace,
        "description": service_key_description("dev", "c1", "listener", "c-dev", generation),
        "role": role,
        "generation": generation,
    }


def registers_a_listener(api, key: str, workspace: str) -> None:
    ListenersClient(control_plane(api.url, key, workspace, timeout=5)).ensure("c1", ["c-dev"])


def test_the_key_is_scoped_to_one_workspace_with_the_editor_role_and_deploys(api, workspace):
    created = ServiceKeyProvider().create(props(api, workspace))
    stored = api.platform.service_keys[created.id]
    assert stored["_workspaces"] == [workspace]
    assert stored["role_id"] == created.outs["role_id"]
    assert stored["description"].startswith("langsmith-dataplane: listener c-dev on cluster c1")
    registers_a_listener(api, created.outs["key"], workspace)  # Editor is enough to deploy
    assert len(api.state.listeners) == 1


def test_a_viewer_key_cannot_deploy(api, workspace):
    viewer = ServiceKeyProvider().create(props(api, workspace, role="Viewer"))
    with pytest.raises(ApiError, match=r"\(403\)"):
        registers_a_listener(api, viewer.outs["key"], workspace)


def test_rotation_creates_the_new_key_before_revoking_the_old(api, workspace):
    provider = ServiceKeyProvider()
    old = provider.create(props(api, workspace, generation=1))
    rotated = props(api, workspace, generation=2)
    diff = provider.diff(old.id, old.outs, rotated)
    assert set(diff.replaces) == {"description", "generation"}
    assert diff.delete_before_replace is False
    # Pulumi's order for a create-before-delete replacement: create, roll dependents, delete.
    new = provider.create(rotated)
    assert set(api.platform.service_keys) == {old.id, new.id}  # both valid during the roll
    registers_a_listener(api, new.outs["key"], workspace)
    provider.delete(old.id, old.outs)
    assert set(api.platform.service_keys) == {new.id}
    with pytest.raises(ApiError, match=r"\(401\)"):
        registers_a_listener(api, old.outs["key"], workspace)


def test_a_key_revoked_in_the_ui_is_gone_on_refresh_and_made_again(api, workspace):
    provider = ServiceKeyProvider()
    created = provider.create(props(api, workspace))
    del api.platform.service_keys[created.id]  # revoked in the UI
    assert provider.read(created.id, created.outs).id is None
    again = provider.create(props(api, workspace))
    assert again.id != created.id
    assert len(api.platform.service_keys) == 1


def test_a_repeated_create_leaves_no_orphan(api, workspace):
    """The first create's response was lost: its key (value never seen) is revoked."""
    provider = ServiceKeyProvider()
    provider.create(props(api, workspace))
    again = provider.create(props(api, workspace))
    assert list(api.platform.service_keys) == [again.id]


def test_destroy_revokes_and_gone_is_done(api, workspace):
    provider = ServiceKeyProvider()
    created = provider.create(props(api, workspace))
    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)
    assert api.platform.service_keys == {}


def test_an_unknown_role_and_an_unknown_workspace_are_clear_errors(api, workspace):
    with pytest.raises(ApiError, match=r"no such workspace role \(Admin, Editor, Viewer\)"):
        ServiceKeyProvider().create(props(api, workspace, role="Owner"))
    gone = "0c3b6a3e-8f7d-4f0e-b3a5-9b1f2e4d5c02"
    with pytest.raises(ApiError, match=r"creating the service key .*\(422\).*workspaces"):
        ServiceKeyProvider().create(props(api, gone))


def test_a_changed_admin_key_updates_without_a_new_key(api, workspace):
    provider = ServiceKeyProvider()
    created = provider.create(props(api, workspace))
    news = {**props(api, workspace), "admin_key": "lsv2_sk_rotated_admin_0000000000000000"}
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes
    assert not diff.replaces
    updated = provider.update(created.id, created.outs, news)
    assert updated.outs["key"] == created.outs["key"]


def test_a_role_change_is_made_in_place_and_cuts_nothing_off(api, workspace):
    """A new role is the service's PATCH: the same key, the same value, nothing to roll."""
    provider = ServiceKeyProvider()
    viewer = provider.create(props(api, workspace, role="Viewer"))
    editor = props(api, workspace, role="Editor")
    diff = provider.diff(viewer.id, viewer.outs, editor)
    assert diff.changes
    assert diff.replaces == []
    updated = provider.update(viewer.id, viewer.outs, editor)
    assert updated.outs["key"] == viewer.outs["key"]
    assert updated.outs["key_id"] == viewer.id
    assert list(api.platform.service_keys) == [viewer.id]
    assert api.platform.service_keys[viewer.id]["role_id"] == updated.outs["role_id"]
    registers_a_listener(api, viewer.outs["key"], workspace)  # now allowed to write


@pytest.mark.parametrize(
    "change",
    [
        {"generation": 2},
        {"description": "langsmith-dataplane: listener c-dev on cluster c2 (stack dev), gen 1"},
    ],
)
def test_no_replacement_revokes_the_key_it_replaces_before_the_delete(api, workspace, change):
    """Whatever replaces a key, the new key's create cannot find the old one, so the old key
    serves until Pulumi deletes it, after everything holding it has switched."""
    provider = ServiceKeyProvider()
    old = provider.create(props(api, workspace))
    news = {**props(api, workspace), **change}
    if "generation" in change:
        news["description"] = props(api, workspace, generation=2)["description"]
    assert provider.diff(old.id, old.outs, news).replaces
    new = provider.create(news)
    assert set(api.platform.service_keys) == {old.id, new.id}
    registers_a_listener(api, old.outs["key"], workspace)  # the old holder still works


def test_a_base_url_spelled_another_way_keeps_the_key(api, workspace):
    provider = ServiceKeyProvider()
    created = provider.create(props(api, workspace))
    news = {**props(api, workspace), "base_url": api.url + "/"}
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes
    assert diff.replaces == []
    updated = provider.update(created.id, created.outs, news)
    assert updated.outs["key"] == created.outs["key"]
    assert list(api.platform.service_keys) == [created.id]


def test_an_organisation_wide_key_never_reaches_a_workload(api, workspace):
    api.platform.scopes_keys_to_workspaces = False
    with pytest.raises(ApiError, match=r"wider than workspace"):
        ServiceKeyProvider().create(props(api, workspace))
    assert api.platform.service_keys == {}
