"""Agent Server deployments through the control plane API: the client and the dynamic
provider against the local fake, whose request and response bodies are checked against the
published OpenAPI document."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from components.agent_deployment import AgentDeploymentProvider
from langsmith_dataplane.cli import main
from langsmith_dataplane.control_plane_api import ControlPlaneError
from langsmith_dataplane.deployments_api import (
    DeploymentsClient,
    DeploymentSpec,
    RevisionFailedError,
)
from langsmith_dataplane.review.diff import diff_topologies
from langsmith_dataplane.topology import parse_topology
from tests.artifacts import control_plane_openapi
from tests.fake_control_plane import ApiKey, FakeControlPlane, RunningControlPlane
from tests.helpers import REFERENCE_TEXT, edit, errors_of

WORKSPACE = "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01"
OTHER = "0c3b6a3e-8f7d-4f0e-b3a5-9b1f2e4d5c02"
KEY = "lsv2_pt_deployments_test_key_0000000000000"
SECRET_VALUE = "sk-openai-secret-value-never-logged"
IMAGE = "registry.example.com/support-bot:1.4.2"


@pytest.fixture
def api():
    state = FakeControlPlane(keys={KEY: ApiKey({WORKSPACE})}, openapi=control_plane_openapi())
    listener = state.seed(WORKSPACE, "dev", ["team-a", "team-b"])
    with RunningControlPlane(state) as running:
        running.listener_id = listener["id"]  # type: ignore[attr-defined]
        yield running
    assert state.violations == []  # every request and response matched the OpenAPI document


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(api, workspace: str = WORKSPACE, **kw) -> DeploymentsClient:
    clock = Clock()
    c = DeploymentsClient(
        api.url, KEY, workspace, timeout=5, sleep=clock.sleep, clock=clock, poll=1, **kw
    )
    c.clock_ = clock  # type: ignore[attr-defined]
    return c


def spec(api, **overrides) -> DeploymentSpec:
    base = {
        "name": "support-bot",
        "listener_id": api.listener_id,
        "namespace": "team-a",
        "image": IMAGE,
        "env": {"LOG_LEVEL": "info", "OPENAI_API_KEY": SECRET_VALUE},
        "secret_references": {
            "POSTGRES_URI_CUSTOM": ("support-bot-backing-stores", "POSTGRES_URI_CUSTOM"),
            "REDIS_URI_CUSTOM": ("support-bot-backing-stores", "REDIS_URI_CUSTOM"),
        },
        "resource_spec": {"min_scale": 1, "max_scale": 3, "cpu": 1.0, "memory_mb": 2048},
    }
    return DeploymentSpec(**{**base, **overrides})


def props(api, **overrides):
    base = {
        "kind": "langsmith-deployment",
        "base_url": api.url,
        "workspace_id": WORKSPACE,
        "api_key": KEY,
        "name": "support-bot",
        "listener_id": api.listener_id,
        "namespace": "team-a",
        "image": IMAGE,
        "secret_references": [
            {"name": k, "secret_name": "support-bot-backing-stores", "secret_key": k}
            for k in ("POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM")
        ],
        "env": {"LOG_LEVEL": "info"},
        "secret_env": {"OPENAI_API_KEY": SECRET_VALUE},
        "resource_spec": {},
        "custom_url": "",
        "wait": True,
        "wait_timeout": 60,
        "poll": 0.01,
    }
    return {**base, **overrides}


def stored(api) -> dict:
    [deployment] = api.state.deployments.items.values()
    return deployment


# -- the client ------------------------------------------------------------------------------


def test_create_wires_the_stores_by_reference(api):
    deployment, adopted = client(api).ensure(spec(api))
    assert not adopted
    body = stored(api)
    assert body["source"] == "external_docker"
    assert body["source_config"]["listener_id"] == api.listener_id
    assert body["source_config"]["listener_config"] == {"k8s_namespace": "team-a"}
    assert body["source_revision_config"] == {"image_uri": IMAGE}
    assert body["secret_references"] == [
        {
            "name": "POSTGRES_URI_CUSTOM",
            "secret_name": "support-bot-backing-stores",
            "secret_key": "POSTGRES_URI_CUSTOM",
        },
        {
            "name": "REDIS_URI_CUSTOM",
            "secret_name": "support-bot-backing-stores",
            "secret_key": "REDIS_URI_CUSTOM",
        },
    ]
    # No password ever reaches the control plane: the URIs are not among the secrets.
    assert {s["name"] for s in body["secrets"]} == {"LOG_LEVEL", "OPENAI_API_KEY"}
    assert "postgres://" not in json.dumps(body)
    assert "redis://" not in json.dumps(body)
    assert deployment.latest_revision_id


def test_an_existing_deployment_of_that_name_is_adopted_and_brought_in_line(api):
    client(api).ensure(spec(api, image="registry.example.com/support-bot:1.0.0"))
    first = stored(api)["latest_revision_id"]
    deployment, adopted = client(api).ensure(spec(api))
    assert adopted
    assert deployment.id == stored(api)["id"]
    assert stored(api)["source_revision_config"]["image_uri"] == IMAGE
    assert stored(api)["latest_revision_id"] != first


def test_409_on_create_adopts_too(api):
    c = client(api)
    c.create(spec(api))
    again = c.create(spec(api))  # the API answers 409; the client finds it by name
    assert again.id == stored(api)["id"]


def test_adoption_refuses_a_deployment_of_another_listener_namespace(api):
    client(api).ensure(spec(api, namespace="team-b"))
    with pytest.raises(ControlPlaneError, match=r"exists for listener .* in namespace team-b"):
        client(api).ensure(spec(api))


def test_wait_until_deployed_polls_the_revision(api):
    c = client(api)
    deployment = c.create(spec(api))
    assert c.wait_until_deployed(deployment) == "DEPLOYED"
    assert c.clock_.sleeps == [1]  # DEPLOYING on the first read, DEPLOYED on the next


def test_a_failed_revision_fails_with_its_status_and_message(api):
    api.state.revision_outcomes[IMAGE] = ("DEPLOY_FAILED", "image pull failed: unauthorized")
    c = client(api)
    deployment = c.create(spec(api))
    with pytest.raises(RevisionFailedError) as info:
        c.wait_until_deployed(deployment)
    message = str(info.value)
    assert "ended DEPLOY_FAILED: image pull failed: unauthorized" in message
    assert KEY not in message
    assert SECRET_VALUE not in message


def test_the_wait_is_bounded(api):
    api.state.revision_outcomes[IMAGE] = "stuck"
    c = client(api, wait_timeout=10)
    deployment = c.create(spec(api))
    with pytest.raises(ControlPlaneError, match=r"still QUEUED after 10 s"):
        c.wait_until_deployed(deployment)
    assert sum(c.clock_.sleeps) == 10


def test_delete_and_404_counts_as_done(api):
    c = client(api)
    deployment = c.create(spec(api))
    assert c.delete(deployment.id) is True
    assert c.delete(deployment.id) is False
    assert api.state.deployments.items == {}


def test_5xx_and_dropped_connections_are_retried(api):
    api.state.fail_next.extend([503, "drop", 502])
    c = client(api)
    assert c.create(spec(api)).name == "support-bot"
    assert c.clock_.sleeps == [0.5, 1.0, 2.0]


def test_403_for_a_key_without_the_workspace(api):
    with pytest.raises(ControlPlaneError, match=f"no access to workspace {OTHER}") as info:
        client(api, workspace=OTHER).create(spec(api))
    assert KEY not in str(info.value)


def test_the_fake_answers_the_documented_statuses(api):
    def call(method: str, path: str, body=None) -> int:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"X-Api-Key": KEY, "X-Tenant-Id": WORKSPACE, "Content-Type": "application/json"}
        request = urllib.request.Request(api.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert call("POST", "/v2/deployments", {"source": "external_docker"}) == 422
    api.state.violations.clear()  # that one was meant to break the schema
    assert call("GET", "/v2/deployments/not-a-uuid") == 422
    assert call("GET", "/v2/deployments/6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a09") == 404
    assert call("POST", "/v2/deployments", spec(api).create_body()) == 201
    assert call("POST", "/v2/deployments", spec(api).create_body()) == 409
    deployment_id = stored(api)["id"]
    assert call("GET", f"/v2/deployments/{deployment_id}") == 200
    assert call("DELETE", f"/v2/deployments/{deployment_id}") == 204


# -- the dynamic provider ----------------------------------------------------------------------


def test_provider_create_waits_and_returns_ids(api):
    result = AgentDeploymentProvider().create(props(api))
    assert result.id == stored(api)["id"]
    assert result.outs["revision_id"] == stored(api)["latest_revision_id"]
    assert stored(api)["status"] == "READY"  # the revision reached DEPLOYED
    assert {s["name"]: s["value"] for s in stored(api)["secrets"]}["OPENAI_API_KEY"] == (
        SECRET_VALUE
    )


def test_provider_image_change_is_a_new_revision(api):
    provider = AgentDeploymentProvider()
    created = provider.create(props(api))
    new = props(api, image="registry.example.com/support-bot:1.5.0")
    diff = provider.diff(created.id, created.outs, new)
    assert diff.changes
    assert diff.replaces == []
    updated = provider.update(created.id, created.outs, new)
    assert updated.outs["revision_id"] != created.outs["revision_id"]
    assert stored(api)["source_revision_config"]["image_uri"].endswith(":1.5.0")
    assert len(api.state.deployments.revisions) == 2


def test_provider_fixed_fields_replace(api):
    provider = AgentDeploymentProvider()
    created = provider.create(props(api))
    for key, value in (("namespace", "team-b"), ("listener_id", OTHER), ("name", "other")):
        diff = provider.diff(created.id, created.outs, props(api, **{key: value}))
        assert diff.replaces == [key]
        assert diff.delete_before_replace


def test_provider_read_of_a_deleted_deployment_recreates_it(api):
    provider = AgentDeploymentProvider()
    created = provider.create(props(api))
    api.state.deployments.items.clear()
    assert provider.read(created.id, created.outs).id is None


def test_provider_delete_tolerates_404(api):
    provider = AgentDeploymentProvider()
    created = provider.create(props(api))
    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)
    assert api.state.deployments.items == {}


def test_provider_failed_revision_surfaces_in_pulumi_up(api):
    api.state.revision_outcomes[IMAGE] = ("DEPLOY_FAILED", "crash loop: missing env FOO")
    with pytest.raises(RevisionFailedError, match="DEPLOY_FAILED: crash loop"):
        AgentDeploymentProvider().create(props(api))


# -- topology, program, plan and diff -------------------------------------------------------------

DEPLOYMENT = """\
      support-bot:
        redisDb: 1
        image: registry.example.com/support-bot:1.4.2
        env: {LOG_LEVEL: info}
        secretEnv: {OPENAI_API_KEY: openai.apiKey}
        resources: {minScale: 1, maxScale: 3, cpu: 1, memoryMb: 2048}
"""


def with_image(text: str = REFERENCE_TEXT) -> str:
    return edit(text, "      support-bot: {redisDb: 1}\n", DEPLOYMENT)


def test_plan_json_holds_references_to_the_stores_and_no_uri(capsys, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(with_image())
    assert main(["plan", str(path), "--stack", "prod-alpha", "--format", "json"]) == 0
    out = capsys.readouterr().out
    resources = json.loads(out)["stacks"]["prod-alpha"]["resources"]
    [deployment] = [r for r in resources if r["name"] == "a-prod-agent-support-bot"]
    inputs = deployment["inputs"]
    assert inputs["kind"] == "langsmith-deployment"
    assert inputs["image"] == "registry.example.com/support-bot:1.4.2"
    assert inputs["namespace"] == "agents"
    assert inputs["secret_references"] == [
        {"name": k, "secret_name": "support-bot-backing-stores", "secret_key": k}
        for k in ("POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM")
    ]
    assert inputs["secret_env"] == "[secret]"
    assert inputs["api_key"] == "[secret]"
    assert "postgres://" not in json.dumps(inputs)
    assert "rediss://" not in json.dumps(inputs)
    assert deployment["protect"] is True  # prod-alpha is a protect stack
    assert not [r for r in resources if r["name"] == "a-prod-agent-research-agent"]  # no image


def test_secret_env_is_required_config(monkeypatch):
    from langsmith_dataplane.entrypoint import secret_config_keys
    from langsmith_dataplane.stack_slice import slice_for_stack

    model = parse_topology(with_image()).model
    assert secret_config_keys(slice_for_stack(model, "prod-alpha")) == {
        "workspaceA.apiKey",
        "openai.apiKey",
    }


def test_diff_image_change_is_an_update_and_removal_a_stateful_loss():
    base = parse_topology(with_image()).model
    newer = parse_topology(with_image().replace("support-bot:1.4.2", "support-bot:1.5.0")).model
    stack = diff_topologies(base, newer).stacks["prod-alpha"]
    [change] = [c for c in stack.changes if c.name == "a-prod-agent-support-bot"]
    assert (change.kind, change.paths) == ("changed", ("image",))
    assert stack.stateful_losses == []
    gone = parse_topology(
        with_image().replace("        image: registry.example.com/support-bot:1.4.2\n", "")
    ).model
    losses = diff_topologies(base, gone).stacks["prod-alpha"].stateful_losses
    assert "removed pulumi-python:dynamic:Resource a-prod-agent-support-bot" in losses


@pytest.mark.parametrize(
    ("deployment", "message"),
    [
        ("image: Registry/Bad:1", "is not an image reference"),
        ("image: registry.example.com/bot", "has no tag or digest"),
        ("image: r.io/bot:1\n        namespace: elsewhere", "is not one of listener 'a-prod''s"),
        ("image: r.io/bot:1\n        env: {POSTGRES_URI_CUSTOM: x}", "is set by the stack"),
        ("image: r.io/bot:1\n        env: {LANGSMITH_API_KEY: x}", "LANGSMITH_* variables"),
        ("image: r.io/bot:1\n        env: {1BAD: x}", "is not an environment variable name"),
        (
            "image: r.io/bot:1\n        env: {A: x}\n        secretEnv: {A: a.key}",
            "is in both 'env' and 'secretEnv'",
        ),
        ("image: r.io/bot:1\n        resources: {minScale: 4, maxScale: 2}", "minScale 4 is"),
        ("image: r.io/bot:1\n        customUrl: http://x.example.com", "is not an https URL"),
    ],
)
def test_deployment_rules(deployment, message):
    text = edit(
        REFERENCE_TEXT,
        "      support-bot: {redisDb: 1}\n",
        f"      support-bot:\n        redisDb: 1\n        {deployment}\n",
    )
    errors = errors_of(text)
    assert [e.rule for e in errors] == ["deployment"], errors
    assert message in errors[0].message


def test_a_deployment_of_a_multi_namespace_listener_names_its_namespace():
    text = edit(
        REFERENCE_TEXT,
        "    namespaces: [team-a]\n",
        "    namespaces: [team-a, team-c]\n    deployments:\n"
        "      bot: {redisDb: 1, image: 'r.io/bot:1'}\n",
    )
    [error] = errors_of(text)
    assert error.message.startswith("deployment 'bot' needs 'namespace'")


def test_render_writes_each_deployment_request_with_secrets_masked(tmp_path):
    from langsmith_dataplane.review.render import render_stack

    rendered = render_stack(parse_topology(with_image()).model, "prod-alpha", tmp_path)
    [path] = rendered.deployments
    text = path.read_text()
    assert path.name == "a-prod-agent-support-bot.yaml"
    assert "image_uri: registry.example.com/support-bot:1.4.2" in text
    assert "secret_env: '[secret]'" in text
    assert "secret_name: support-bot-backing-stores" in text
    assert "postgres://" not in text
