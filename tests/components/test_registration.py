"""Listener registration against a faithful local control plane, over real HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from pulumi.output import Unknown

from components._records import record_diff
from components.registration import ListenerRegistrationProvider
from langsmith_dataplane.api.control_plane import control_plane
from langsmith_dataplane.api.listeners import ListenersClient
from langsmith_dataplane.api.transport import ApiError
from langsmith_dataplane.simulation import Secret
from tests.artifacts import control_plane_openapi
from tests.fake_control_plane import ApiKey, FakeControlPlane, RunningControlPlane
from tests.helpers import REFERENCE_TEXT, edit
from tests.sim import listener_releases, simulated_text

WORKSPACE = "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01"
OTHER_WORKSPACE = "0c3b6a3e-8f7d-4f0e-b3a5-9b1f2e4d5c02"
KEY = "lsv2_pt_registration_test_key_000000000000"
NO_PLAN_KEY = "lsv2_pt_registration_test_no_plan_0000000"


@pytest.fixture
def api():
    state = FakeControlPlane(
        keys={
            KEY: ApiKey({WORKSPACE}),
            NO_PLAN_KEY: ApiKey({WORKSPACE}, plan_allows_listeners=False),
        },
        openapi=control_plane_openapi(),
    )
    with RunningControlPlane(state) as running:
        yield running
    # Every request the client sent matched the published request schemas.
    assert state.violations == []


def client(api, key: str = KEY, workspace: str = WORKSPACE, **kw) -> ListenersClient:
    sleeps: list[float] = []
    c = ListenersClient(
        control_plane(api.url, key, workspace, **{"timeout": 5, "sleep": sleeps.append, **kw})
    )
    c.sleeps = sleeps  # type: ignore[attr-defined]
    return c


def props(api, **overrides):
    base = {
        "base_url": api.url,
        "workspace_id": WORKSPACE,
        "api_key": KEY,
        "compute_id": "dev",
        "namespaces": ["team-a"],
    }
    return {**base, **overrides}


# -- the fake is faithful --------------------------------------------------------------------


def raw(api, method: str, path: str, headers: dict[str, str], body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(api.url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_fake_requires_the_tenant_header(api):
    status, body = raw(api, "GET", "/v2/listeners?limit=10&offset=0", {"X-Api-Key": KEY})
    assert status == 403
    assert "requires workspace specification" in body["detail"]


def test_fake_rejects_a_malformed_id_with_422(api):
    status, body = raw(
        api, "GET", "/v2/listeners/not-a-uuid", {"X-Api-Key": KEY, "X-Tenant-Id": WORKSPACE}
    )
    assert status == 422
    assert body["detail"][0]["loc"] == ["path", "listener_id"]


def test_fake_paginates_and_bounds_limit(api):
    for i in range(5):
        api.state.seed(WORKSPACE, f"c{i}", ["ns"])
    headers = {"X-Api-Key": KEY, "X-Tenant-Id": WORKSPACE}
    status, body = raw(api, "GET", "/v2/listeners?limit=2&offset=2", headers)
    assert status == 200
    assert [x["compute_id"] for x in body["resources"]] == ["c2", "c3"]
    assert body["offset"] == 2
    assert raw(api, "GET", "/v2/listeners?limit=101&offset=0", headers)[0] == 422


# -- the client -------------------------------------------------------------------------------


def test_create_read_update_delete(api):
    c = client(api)
    created = c.create("dev", ["team-a"])
    assert uuid.UUID(created.id)
    assert (created.compute_type, created.compute_id, created.namespaces) == (
        "k8s",
        "dev",
        ("team-a",),
    )
    assert c.get(created.id).namespaces == ("team-a",)
    updated = c.update_namespaces(created.id, ["team-a", "team-b"])
    assert updated.namespaces == ("team-a", "team-b")
    assert api.state.listeners[created.id]["version"] == 2
    assert c.delete(created.id) is True
    assert c.delete(created.id) is False  # 404 counts as done
    method, path, headers = api.state.requests[0]
    assert (method, path) == ("POST", "/v2/listeners")
    assert headers["X-Api-Key"] == KEY
    assert headers["X-Tenant-Id"] == WORKSPACE


def test_a_listener_registered_before_is_taken_over_only_when_adopted_across_pages(api):
    for i in range(150):
        api.state.seed(WORKSPACE, f"other-{i}", ["x"])
    existing = api.state.seed(WORKSPACE, "dev", ["old-namespace"])
    api.state.seed(OTHER_WORKSPACE, "dev", ["elsewhere"])  # another workspace's listener
    with pytest.raises(ApiError, match=rf"registered already \(id {existing['id']}\), not by"):
        client(api).ensure("dev", ["team-a"])
    assert api.state.listeners[existing["id"]]["compute_config"]["k8s_namespaces"] == [
        "old-namespace"
    ]  # untouched
    api.state.requests.clear()
    listener, adopted = client(api).ensure("dev", ["team-a"], adopt=existing["id"])
    assert adopted is True
    assert listener.id == existing["id"]
    assert listener.namespaces == ("team-a",)  # brought in line with the topology
    pages = [path for method, path, _ in api.state.requests if method == "GET"]
    assert pages == ["/v2/listeners?limit=100&offset=0", "/v2/listeners?limit=100&offset=100"]


def test_forbidden_plan_gives_a_clear_error_without_the_key(api):
    with pytest.raises(ApiError) as info:
        client(api, key=NO_PLAN_KEY).create("dev", ["team-a"])
    message = str(info.value)
    assert info.value.status == 403
    assert "plan does not allow listeners" in message
    assert "does not include listeners" in message
    assert "only on self-hosted enterprise plans" in message
    assert NO_PLAN_KEY not in message


def test_key_without_the_workspace_is_403(api):
    with pytest.raises(ApiError, match=f"no access to workspace {OTHER_WORKSPACE}"):
        client(api, workspace=OTHER_WORKSPACE).create("dev", ["team-a"])


def test_422_shows_the_detail(api):
    with pytest.raises(ApiError) as info:
        client(api).get("definitely-not-a-uuid")
    assert info.value.status == 422
    assert "path.listener_id: Input should be a valid UUID" in str(info.value)


def posts(api) -> int:
    return sum(1 for method, path, _ in api.state.requests if method == "POST")


def test_5xx_is_retried_with_backoff_after_looking(api):
    """A create is sent again only after a read shows the last attempt made nothing."""
    api.state.fault("POST", "/v2/listeners", 503, nth=1)
    api.state.fault("POST", "/v2/listeners", 502, nth=2)
    c = client(api)
    assert c.create("dev", ["team-a"]).compute_id == "dev"
    assert c.sleeps == [0.5, 1.0]  # exponential backoff
    assert posts(api) == 3
    methods = [method for method, _, _ in api.state.requests]
    assert methods == ["POST", "GET", "POST", "GET", "POST"]
    assert len(api.state.listeners) == 1


def test_dropped_connections_are_retried(api):
    api.state.fault("POST", "/v2/listeners", "drop")
    c = client(api)
    assert c.create("dev", ["team-a"]).compute_id == "dev"
    assert c.sleeps == [0.5]
    assert len(api.state.listeners) == 1


def test_4xx_is_not_retried(api):
    c = client(api)
    with pytest.raises(ApiError):
        c.get("bad")
    assert len(api.state.requests) == 1
    assert c.sleeps == []


def test_persistent_5xx_gives_up(api):
    for nth in range(1, 11):
        api.state.fault("POST", "/v2/listeners", 503, nth=nth)
    c = client(api, retries=2)
    with pytest.raises(ApiError, match=r"no success after 3 attempts \(HTTP 503"):
        c.create("dev", ["team-a"])
    assert posts(api) == 3


def test_unreachable_control_plane():
    c = ListenersClient(
        control_plane(
            "http://127.0.0.1:9", KEY, WORKSPACE, timeout=1, retries=1, sleep=lambda s: None
        )
    )
    with pytest.raises(ApiError, match="cannot reach the LangSmith control plane") as info:
        c.create("dev", ["team-a"])
    assert KEY not in str(info.value)


# -- the dynamic provider ------------------------------------------------------------------------


def test_provider_lifecycle(api):
    provider = ListenerRegistrationProvider()
    created = provider.create(props(api))
    assert created.outs["listener_id"] == created.id
    assert created.outs["adopted"] is False

    read = provider.read(created.id, created.outs)
    assert read.id == created.id
    assert read.outs["namespaces"] == ["team-a"]

    new = props(api, namespaces=["team-a", "team-b"])
    diff = provider.diff(created.id, created.outs, new)
    assert diff.changes is True
    assert diff.replaces == []
    updated = provider.update(created.id, created.outs, new)
    assert updated.outs["namespaces"] == ["team-a", "team-b"]

    provider.delete(created.id, updated.outs)
    assert created.id not in api.state.listeners
    provider.delete(created.id, updated.outs)  # already gone: fine


def test_provider_adopts_only_what_the_topology_names(api):
    existing = api.state.seed(WORKSPACE, "dev", ["team-a"])
    with pytest.raises(ApiError, match=rf"add `adopt: {existing['id']}`"):
        ListenerRegistrationProvider().create(props(api))
    created = ListenerRegistrationProvider().create({**props(api), "adopt": existing["id"]})
    assert created.id == existing["id"]
    assert created.outs["adopted"] is True
    assert len(api.state.listeners) == 1


def test_provider_read_of_a_deleted_listener_reports_it_gone(api):
    provider = ListenerRegistrationProvider()
    created = provider.create(props(api))
    del api.state.listeners[created.id]  # deleted in the UI
    read = provider.read(created.id, created.outs)
    assert read.id is None  # so Pulumi recreates it on the next up


def test_a_refresh_with_a_revoked_key_keeps_the_listener(api):
    """A service key revoked in the UI (or rotated away) must never drop a healthy listener
    from the state: the read keeps it, and the next `up` brings the new key."""
    provider = ListenerRegistrationProvider()
    created = provider.create(props(api))
    stale = {**created.outs, "api_key": "lsv2_sk_revoked_key_00000000000000000000"}
    read = provider.read(created.id, stale)
    assert read.id == created.id
    assert read.outs == stale
    assert created.id in api.state.listeners


def test_provider_diff_replaces_on_a_new_compute_id():
    provider = ListenerRegistrationProvider()
    olds = {
        "base_url": "u",
        "workspace_id": "w",
        "api_key": "k",
        "compute_id": "dev",
        "namespaces": ["a"],
    }
    diff = provider.diff("id", olds, {**olds, "compute_id": "dev-2"})
    assert diff.replaces == ["compute_id"]
    assert diff.delete_before_replace is True
    assert provider.diff("id", olds, {**olds, "namespaces": ["a"]}).changes is False
    assert provider.diff("id", olds, {**olds, "workspace_id": "w2"}).replaces == ["workspace_id"]
    # Not known yet in a preview (the workspace record is being renamed): an update, never a
    # replacement; the engine diffs again at `up` with the value.
    unknown = provider.diff("id", olds, {**olds, "workspace_id": Unknown()})
    assert (unknown.changes, unknown.replaces) == (True, [])


def test_record_diff_never_replaces_on_a_value_not_known_yet():
    olds = {"workspace_id": "w", "role": "Editor"}
    known = record_diff(
        olds,
        {**olds, "workspace_id": "w2"},
        replaced_by=("workspace_id",),
        updated_by=("role",),
        stables=(),
        delete_before_replace=False,
    )
    assert known.replaces == ["workspace_id"]
    unknown = record_diff(
        olds,
        {**olds, "workspace_id": Unknown()},
        replaced_by=("workspace_id",),
        updated_by=("role",),
        stables=(),
        delete_before_replace=False,
    )
    assert (unknown.changes, unknown.replaces) == (True, [])


# -- wiring into the program (mocks) ------------------------------------------------------------


def registration_records(sim) -> list:
    """The listener registrations: the dynamic resources without a `kind` (the release
    guards, `helm-release-recovery`, have one)."""
    return [r for r in sim.by_type("pulumi-python:dynamic:Resource") if "kind" not in r.inputs]


def test_listeners_without_listener_id_are_registered_and_feed_the_release():
    sim = simulated_text(REFERENCE_TEXT, "dev")
    registrations = {r.name: r for r in registration_records(sim)}
    assert set(registrations) == {"a-dev-registration", "b-dev-registration"}
    registration = registrations["a-dev-registration"]
    assert registration.inputs["compute_id"] == "dev"
    assert registration.inputs["namespaces"] == ["team-a"]
    assert registration.inputs["base_url"] == "https://api.host.langchain.com"
    assert isinstance(registration.inputs["api_key"], Secret)
    ids = {
        r.inputs["name"]: r.inputs["values"]["config"]["langgraphListenerId"]
        for r in listener_releases(sim)
    }
    assert ids["a-dev"] == str(uuid.uuid5(uuid.NAMESPACE_URL, f"listener/{WORKSPACE}/dev"))
    assert sim.outputs["listeners"]["a-dev"]["listenerId"] == ids["a-dev"]


def test_listener_id_in_the_topology_skips_registration():
    fixed = "9e2f1a3b-0c4d-4e5f-8a6b-7c8d9e0f1a2b"
    text = edit(
        REFERENCE_TEXT,
        "    namespaces: [team-b]\n",
        f"    namespaces: [team-b]\n    listenerId: {fixed}\n",
    )
    sim = simulated_text(text, "dev")
    assert {r.name for r in registration_records(sim)} == {"a-dev-registration"}
    ids = {
        r.inputs["name"]: r.inputs["values"]["config"]["langgraphListenerId"]
        for r in listener_releases(sim)
    }
    assert ids["b-dev"] == fixed


def test_serialized_provider_is_a_reference_without_secrets():
    """Pulumi stores the dynamic provider in state: it must be a by-name reference, no key."""
    import base64

    import dill

    sim = simulated_text(REFERENCE_TEXT, "dev")
    registration = registration_records(sim)[0]
    blob = base64.b64decode(registration.inputs["__provider"].value)
    assert len(blob) < 200
    assert b"api_key" not in blob
    assert b"placeholder-api-key" not in blob
    assert isinstance(dill.loads(blob), ListenerRegistrationProvider)


def test_the_transport_trusts_the_ca_bundle_python_is_told_about(monkeypatch, tmp_path):
    """A corporate proxy's or self-hosted control plane's CA is commonly given with
    SSL_CERT_FILE (Python's ssl, curl, git): the transport honours it before requests' own
    REQUESTS_CA_BUNDLE (often set machine-wide to the system bundle)."""
    from langsmith_dataplane.api.transport import trusted_cas

    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    assert trusted_cas() is True
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "corp.pem"))
    assert trusted_cas() == str(tmp_path / "corp.pem")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "bundle.pem"))
    assert trusted_cas() == str(tmp_path / "corp.pem")
    monkeypatch.delenv("SSL_CERT_FILE")
    assert trusted_cas() == str(tmp_path / "bundle.pem")


@pytest.mark.parametrize("fault", ["act-then-drop", ("timeout", 2)])
def test_a_registration_whose_answer_was_lost_is_adopted_not_duplicated(api, fault):
    """The server registered the listener but the answer never arrived: the POST is not sent
    again; the listener that appeared is the stack's own; one listener exists."""
    api.state.fault("POST", "/v2/listeners", fault)
    c = client(api, timeout=0.5)
    listener, _ = c.ensure("dev", ["team-a"])
    assert list(api.state.listeners) == [listener.id]
