"""The fakes are a contract: each behaviour of `shared/reference/langsmith-api-behaviour.md` the
project relies on, asked of the fake over raw HTTP (no client of ours in between), so a fake
that drifts back to kinder behaviour fails here before it hides a client's mistake.

One test per row, named for the row; each source is in the page (TF: LangChain's Terraform
provider; CLI: langgraph-cli).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.artifacts import control_plane_openapi, platform_openapi
from tests.fake_control_plane import ApiKey, FakeControlPlane, RunningControlPlane
from tests.fake_platform import Platform

WORKSPACE = "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01"
KEY = "lsv2_pt_fake_contract_key_000000000000000"
ORG = "3b0f8f4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
ADMIN = "lsv2_sk_fake_contract_admin_0000000000000"
REPO = "https://github.com/example-org/bot"


@pytest.fixture
def api():
    platform = Platform(ORG, {ADMIN}, openapi=platform_openapi())
    state = FakeControlPlane(
        keys={KEY: ApiKey({WORKSPACE})}, openapi=control_plane_openapi(), platform=platform
    )
    state.listener = state.seed(WORKSPACE, "dev", ["team-a"])  # type: ignore[attr-defined]
    state.integration = state.install_github(WORKSPACE, "example-org", [REPO])  # type: ignore[attr-defined]
    with RunningControlPlane(state) as running:
        yield running
    assert state.violations == []
    assert platform.violations == []


def call(api, method: str, path: str, body: Any = None, *, admin: bool = False):
    headers = {"Content-Type": "application/json"}
    if admin:
        headers |= {"X-Api-Key": ADMIN, "X-Organization-Id": ORG}
    else:
        headers |= {"X-Api-Key": KEY, "X-Tenant-Id": WORKSPACE}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(api.url + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None


def image_body(api, **config: Any) -> dict[str, Any]:
    return {
        "name": "bot",
        "source": "external_docker",
        "source_config": {
            "listener_id": api.state.listener["id"],
            "listener_config": {"k8s_namespace": "team-a"},
            **config,
        },
        "source_revision_config": {"image_uri": "r.example.com/bot:1"},
        "secrets": [{"name": "A", "value": "1"}],
        "secret_references": [{"name": "B", "secret_name": "s", "secret_key": "B"}],
    }


def image_deployment(api, **config: Any) -> dict[str, Any]:
    status, made = call(api, "POST", "/v2/deployments", image_body(api, **config))
    assert status == 201
    return made


def github_deployment(api) -> dict[str, Any]:
    body = {
        "name": "cloud-bot",
        "source": "github",
        "source_config": {
            "integration_id": api.state.integration["id"],
            "repo_url": REPO,
            "deployment_type": "dev",
            "build_on_push": False,
        },
        "source_revision_config": {"repo_ref": "main", "langgraph_config_path": "langgraph.json"},
        "secrets": [],
    }
    status, made = call(api, "POST", "/v2/deployments", body)
    assert status == 201
    return made


def revision(api, deployment: dict[str, Any], revision_id: str | None = None) -> dict[str, Any]:
    path = f"/v2/deployments/{deployment['id']}/revisions/{revision_id or deployment['latest_revision_id']}"
    status, body = call(api, "GET", path)
    assert status == 200
    return body


# -- deployments and revisions --------------------------------------------------------------


def test_an_empty_secrets_list_on_patch_is_unchanged(api):
    made = image_deployment(api)
    assert call(api, "PATCH", f"/v2/deployments/{made['id']}", {"secrets": []})[0] == 200
    _, now = call(api, "GET", f"/v2/deployments/{made['id']}")
    assert now["secrets"] == [{"name": "A", "value": "1"}]
    assert now["latest_revision_id"] == made["latest_revision_id"]  # and no revision


def test_empty_secret_references_remove_them_and_leaving_them_out_keeps_them(api):
    made = image_deployment(api)
    path = f"/v2/deployments/{made['id']}"
    call(api, "PATCH", path, {"source_revision_config": {"image_uri": "r.example.com/bot:2"}})
    assert call(api, "GET", path)[1]["secret_references"] != []
    call(api, "PATCH", path, {"secret_references": []})
    assert call(api, "GET", path)[1]["secret_references"] == []


def test_resource_spec_replaces_the_whole_object(api):
    made = image_deployment(api, resource_spec={"min_scale": 1, "max_scale": 5})
    path = f"/v2/deployments/{made['id']}"
    call(api, "PATCH", path, {"source_config": {"resource_spec": {"min_scale": 2}}})
    assert call(api, "GET", path)[1]["source_config"]["resource_spec"] == {"min_scale": 2}


def test_a_custom_url_cannot_be_cleared(api):
    made = image_deployment(api, custom_url="https://bot.example.com")
    path = f"/v2/deployments/{made['id']}"
    for cleared in ("", None):
        call(api, "PATCH", path, {"source_config": {"custom_url": cleared}})
        config = call(api, "GET", path)[1]["source_config"]
        assert config["custom_url"] == "https://bot.example.com"


def test_a_duplicate_name_is_400_not_409(api):
    image_deployment(api)
    status, _ = call(api, "POST", "/v2/deployments", image_body(api))
    assert status in (400, 422)


def test_a_github_revision_passes_through_its_build_and_has_no_status_message(api):
    made = github_deployment(api)
    seen = [revision(api, made)["status"] for _ in range(4)]
    assert seen == ["AWAITING_BUILD", "BUILDING", "DEPLOYING", "DEPLOYED"]
    assert "status_message" not in revision(api, made)


def test_an_interrupted_revision_still_progresses(api):
    api.state.revision_outcomes["r.example.com/bot:1"] = "interrupted"
    made = image_deployment(api)
    seen = [revision(api, made)["status"] for _ in range(4)]
    assert seen == ["DEPLOYING", "INTERRUPTED", "DEPLOYING", "DEPLOYED"]


def test_a_newer_revision_supersedes_one_in_progress(api):
    made = image_deployment(api)
    path = f"/v2/deployments/{made['id']}"
    call(api, "PATCH", path, {"source_revision_config": {"image_uri": "r.example.com/bot:2"}})
    assert revision(api, made, made["latest_revision_id"])["status"] == "SKIPPED"


def test_a_failed_revision_says_why_only_in_its_logs(api):
    api.state.revision_outcomes["r.example.com/bot:1"] = ("DEPLOY_FAILED", "CrashLoopBackOff")
    made = image_deployment(api)
    statuses = [revision(api, made)["status"] for _ in range(2)]
    assert statuses[-1] == "DEPLOY_FAILED"
    assert "status_message" not in revision(api, made)
    path = f"/v1/projects/{made['id']}/revisions/{made['latest_revision_id']}/deploy_logs"
    status, logs = call(api, "POST", path, {"order": "desc", "limit": 1})
    assert status == 200
    assert [entry["message"] for entry in logs["logs"]] == ["CrashLoopBackOff"]


# -- workspaces, keys, roles ------------------------------------------------------------------


def test_roles_of_both_scopes_are_listed(api):
    _, roles = call(api, "GET", "/api/v1/orgs/current/roles", admin=True)
    assert {r["access_scope"] for r in roles} == {"organization", "workspace"}
    viewers = [r for r in roles if r["display_name"] == "Viewer"]
    assert {r["access_scope"] for r in viewers} == {"organization", "workspace"}


def test_display_names_are_not_unique_and_an_id_can_be_chosen(api):
    chosen = "0d2c4e6a-8b1f-4c3e-9a5d-7f0e2b4c6d8e"
    for body in ({"display_name": "Same"}, {"display_name": "Same", "id": chosen}):
        assert call(api, "POST", "/api/v1/workspaces", body, admin=True)[0] == 200
    _, listed = call(api, "GET", "/api/v1/workspaces", admin=True)
    assert [w["display_name"] for w in listed] == ["Same", "Same"]
    assert chosen in {w["id"] for w in listed}


def test_deleted_workspaces_are_listed_only_when_asked(api):
    status, made = call(api, "POST", "/api/v1/workspaces", {"display_name": "Gone"}, admin=True)
    assert status == 200
    headers_path = f"/api/v1/workspaces/{made['id']}"
    api.state.platform.workspaces[made["id"]]["is_deleted"] = True
    assert call(api, "GET", "/api/v1/workspaces", admin=True)[1] == []
    _, listed = call(api, "GET", "/api/v1/workspaces?include_deleted=true", admin=True)
    assert [w["is_deleted"] for w in listed] == [True]
    assert call(api, "GET", headers_path, admin=True)[0] == 404


def test_a_role_changes_in_place(api):
    _, made = call(api, "POST", "/api/v1/workspaces", {"display_name": "K"}, admin=True)
    roles = call(api, "GET", "/api/v1/orgs/current/roles", admin=True)[1]
    editor = next(r["id"] for r in roles if r["name"] == "WORKSPACE_USER")
    admin = next(r["id"] for r in roles if r["name"] == "WORKSPACE_ADMIN")
    body = {"description": "k", "workspaces": [made["id"]], "role_id": editor}
    _, key = call(api, "POST", "/api/v1/orgs/current/service-keys", body, admin=True)
    path = f"/api/v1/orgs/current/service-keys/{key['id']}"
    status, changed = call(api, "PATCH", path, {"role_id": admin}, admin=True)
    assert (status, changed["id"], changed["role_id"]) == (200, key["id"], admin)


def test_an_organisation_role_is_refused_for_a_workspace_key(api):
    _, made = call(api, "POST", "/api/v1/workspaces", {"display_name": "K"}, admin=True)
    roles = call(api, "GET", "/api/v1/orgs/current/roles", admin=True)[1]
    org_role = next(r["id"] for r in roles if r["access_scope"] == "organization")
    body = {"description": "k", "workspaces": [made["id"]], "role_id": org_role}
    assert call(api, "POST", "/api/v1/orgs/current/service-keys", body, admin=True)[0] == 422


def test_without_the_scoping_feature_a_key_is_organisation_wide(api):
    api.state.platform.scopes_keys_to_workspaces = False
    _, made = call(api, "POST", "/api/v1/workspaces", {"display_name": "K"}, admin=True)
    body = {"description": "k", "workspaces": [made["id"]]}
    _, key = call(api, "POST", "/api/v1/orgs/current/service-keys", body, admin=True)
    assert key["access_scope"] == "organization"
    assert not key["workspace_names"]
