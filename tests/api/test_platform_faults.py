"""The platform API client under faults the fake injects: a response lost after the server
acted, resets, 5xx and 429 bursts. Nothing is created twice, no key is left orphaned."""

from __future__ import annotations

import pytest

from langsmith_dataplane.api.platform import WorkspacesClient, platform
from langsmith_dataplane.api.service_keys import ServiceKeysClient
from langsmith_dataplane.api.transport import ApiError
from langsmith_dataplane.naming import created_workspace_ids
from tests.artifacts import platform_openapi
from tests.fake_control_plane import FakeControlPlane, RunningControlPlane
from tests.fake_platform import WORKSPACE_ROLES, Platform

ORG = "3b0f8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
ADMIN = "lsv2_sk_platform_faults_admin_key_0000000"
KEYS = "/api/v1/orgs/current/service-keys"


@pytest.fixture
def api():
    fake = Platform(ORG, {ADMIN}, openapi=platform_openapi())
    with RunningControlPlane(FakeControlPlane(platform=fake)) as running:
        running.platform = fake  # type: ignore[attr-defined]
        yield running
    assert fake.violations == []


def transport(api, sleeps: list[float] | None = None):
    record = sleeps if sleeps is not None else []
    return platform(api.url, ADMIN, ORG, timeout=5, sleep=record.append)


IDS = created_workspace_ids(ORG, "dev", "team-c", None)
EDITOR = next(r["id"] for r in WORKSPACE_ROLES if r["display_name"] == "Editor")


def live(api):
    return [w for w in api.platform.workspaces.values() if not w["is_deleted"]]


@pytest.mark.parametrize("handle", ["team-c", None])
def test_a_lost_workspace_create_response_never_makes_two(api, handle):
    api.state.fault("POST", "/api/v1/workspaces", "act-then-drop")
    record, adopted = WorkspacesClient(transport(api)).create("Team C", handle, IDS)
    assert [w["id"] for w in live(api)] == [record.id]
    assert adopted is False  # made by this create, found again after the lost answer


def test_a_lost_key_create_response_leaves_no_orphan(api):
    workspace, _ = WorkspacesClient(transport(api)).create("Team C", "team-c", IDS)
    api.state.fault("POST", KEYS, "act-then-drop")
    created = ServiceKeysClient(transport(api)).create(
        workspace.id, "langsmith-dataplane x", EDITOR
    )
    assert list(api.platform.service_keys) == [created.record.id]
    assert api.platform.service_keys[created.record.id]["_secret"] == created.key


def test_resets_and_server_errors_are_retried_then_succeed(api):
    workspace, _ = WorkspacesClient(transport(api)).create("Team C", "team-c", IDS)
    for nth, fault in enumerate(("drop", 502, (429, 2), 503), start=1):
        api.state.fault("POST", KEYS, fault, nth=nth)
    sleeps: list[float] = []
    created = ServiceKeysClient(transport(api, sleeps)).create(workspace.id, "k", EDITOR)
    assert list(api.platform.service_keys) == [created.record.id]
    assert 2 in sleeps  # Retry-After honoured


def test_a_burst_longer_than_the_budget_fails_clearly_and_the_next_run_converges(api):
    workspace, _ = WorkspacesClient(transport(api)).create("Team C", "team-c", IDS)
    for nth, fault in enumerate(["act-then-drop", 503, 503, 503, 503], start=1):
        api.state.fault("POST", KEYS, fault, nth=nth)
    with pytest.raises(ApiError, match=r"creating the service key 'k': no success after 5 "):
        ServiceKeysClient(transport(api)).create(workspace.id, "k", EDITOR)
    assert api.platform.service_keys == {}  # the lost attempt's key was revoked meanwhile
    again = ServiceKeysClient(transport(api)).create(workspace.id, "k", EDITOR)
    assert list(api.platform.service_keys) == [again.record.id]  # the orphan was revoked


def test_a_create_that_times_out_after_the_server_acted_is_found_not_repeated(api):
    api.state.fault("POST", "/api/v1/workspaces", ("timeout", 2))
    client = WorkspacesClient(platform(api.url, ADMIN, ORG, timeout=0.5, sleep=lambda _: None))
    record, _ = client.create("Team C", None, IDS)
    assert [w["id"] for w in live(api)] == [record.id]
