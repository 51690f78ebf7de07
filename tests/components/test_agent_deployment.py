"""Agent Server deployments through the control plane API: the client and the dynamic
provider against the local fake, whose request and response bodies are checked against the
published OpenAPI document."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from components.agent_deployment import AgentDeploymentProvider
from langsmith_dataplane.api.control_plane import control_plane
from langsmith_dataplane.api.deployments import (
    DeploymentBody,
    DeploymentsClient,
    RevisionFailedError,
)
from langsmith_dataplane.api.transport import ApiError
from langsmith_dataplane.cli import main
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
OWNER = "langsmith-dataplane stack dev: deployment support-bot"


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
    transport = control_plane(api.url, KEY, workspace, timeout=5, sleep=clock.sleep)
    c = DeploymentsClient(transport, sleep=clock.sleep, clock=clock, poll=1, **kw)
    c.clock_ = clock  # type: ignore[attr-defined]
    return c


def spec(api, **overrides) -> DeploymentBody:
    base = {
        "name": "support-bot",
        "listener_id": api.listener_id,
        "namespace": "team-a",
        "image": IMAGE,
        "env": {"LOG_LEVEL": "info"},
        "secret_references": {
            "OPENAI_API_KEY": ("support-bot-env", "OPENAI_API_KEY"),
            "POSTGRES_URI_CUSTOM": ("support-bot-backing-stores", "POSTGRES_URI_CUSTOM"),
            "REDIS_URI_CUSTOM": ("support-bot-backing-stores", "REDIS_URI_CUSTOM"),
        },
        "resource_spec": {"min_scale": 1, "max_scale": 3, "cpu": 1.0, "memory_mb": 2048},
        "managed_by": OWNER,
    }
    return DeploymentBody(**{**base, **overrides})


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
            {
                "name": "OPENAI_API_KEY",
                "secret_name": "support-bot-env",
                "secret_key": "OPENAI_API_KEY",
            },
            *(
                {"name": k, "secret_name": "support-bot-backing-stores", "secret_key": k}
                for k in ("POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM")
            ),
        ],
        "env": {"LOG_LEVEL": "info", "DATAPLANE_SECRETS_CHECKSUM": "0123456789abcdef"},
        "resource_spec": {},
        "custom_url": "",
        "wait": True,
        "wait_timeout": 60,
        "poll": 0.01,
        "managed_by": OWNER,
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
            "name": "OPENAI_API_KEY",
            "secret_name": "support-bot-env",
            "secret_key": "OPENAI_API_KEY",
        },
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
    # No password or secret value ever reaches the control plane: only plain env is sent,
    # with the owner variable that tells the stack's own deployment from someone else's.
    assert {s["name"]: s["value"] for s in body["secrets"]} == {
        "LOG_LEVEL": "info",
        "DATAPLANE_MANAGED_BY": OWNER,
    }
    assert "postgres://" not in json.dumps(body)
    assert "redis://" not in json.dumps(body)
    assert deployment.latest_revision_id


def test_the_stacks_own_deployment_is_recognised_and_brought_in_line(api):
    """A create whose answer never reached the state (the engine killed): the deployment
    carries the stack's owner variable, so the next create finds it and updates it."""
    client(api).ensure(spec(api, image="registry.example.com/support-bot:1.0.0"))
    first = stored(api)["latest_revision_id"]
    deployment, existed = client(api).ensure(spec(api))
    assert existed
    assert deployment.id == stored(api)["id"]
    assert stored(api)["source_revision_config"]["image_uri"] == IMAGE
    assert stored(api)["latest_revision_id"] != first


def test_someone_elses_deployment_is_taken_over_only_when_the_topology_adopts_it(api):
    made_in_the_ui = spec(api, managed_by="", resource_spec=None)
    client(api).create(made_in_the_ui)
    theirs = stored(api)["id"]
    with pytest.raises(ApiError, match=rf"not made by this stack.*adopt: {theirs}"):
        client(api).ensure(spec(api))
    assert len(api.state.deployments.revisions) == 1  # nothing was sent to it
    deployment, existed = client(api).ensure(spec(api, adopt=theirs))
    assert existed
    assert deployment.id == theirs
    assert {s["name"]: s["value"] for s in stored(api)["secrets"]}["DATAPLANE_MANAGED_BY"] == OWNER


def test_a_duplicate_name_is_a_400_and_a_lost_create_answer_makes_one(api):
    c = client(api)
    c.create(spec(api))
    # The document lists 400/422 for a taken name, no 409: explained, never adopted.
    with pytest.raises(ApiError, match=r"exists \(id .*, made by langsmith-dataplane stack dev"):
        c.create(spec(api, managed_by="someone else"))
    # The POST acts but its answer is lost: not sent again; the stack's own one is found.
    api.state.fault("POST", "/v2/deployments", "act-then-drop")
    made = client(api).create(spec(api, name="research-agent"))
    assert made.name == "research-agent"
    assert sorted(d["name"] for d in api.state.deployments.items.values()) == [
        "research-agent",
        "support-bot",
    ]
    posts = [r for r in api.state.requests if r[0] == "POST"]
    assert len(posts) == 3


def test_a_lost_patch_answer_makes_one_revision(api):
    c = client(api)
    created = c.create(spec(api))
    api.state.fault("PATCH", f"/v2/deployments/{created.id}", "act-then-drop")
    c.patch(created.id, spec(api, image="registry.example.com/support-bot:2.0.0").update_body())
    assert len(api.state.deployments.revisions) == 2  # one for the create, one for the PATCH
    assert len([r for r in api.state.requests if r[0] == "PATCH"]) == 1


def test_adoption_refuses_a_deployment_of_another_listener_namespace(api):
    client(api).ensure(spec(api, namespace="team-b"))
    with pytest.raises(ApiError, match=r"exists for listener .* in namespace team-b"):
        client(api).ensure(spec(api))


def test_wait_until_deployed_polls_the_revision_and_says_each_status(api):
    lines: list[str] = []
    c = client(api, report=lines.append)
    deployment = c.create(spec(api))
    assert c.wait_until_deployed(deployment) == deployment.latest_revision_id
    assert c.clock_.sleeps == [1]  # DEPLOYING on the first read, DEPLOYED on the next
    assert [line.split(": ", 1)[1] for line in lines] == [
        f"waiting for revision {deployment.latest_revision_id}",
        "DEPLOYING (0 s)",
        "DEPLOYED (1 s)",
    ]


def test_an_interrupted_revision_is_waited_for_until_it_deploys(api):
    api.state.revision_outcomes[IMAGE] = "interrupted"
    lines: list[str] = []
    c = client(api, report=lines.append)
    deployment = c.create(spec(api))
    assert c.wait_until_deployed(deployment) == deployment.latest_revision_id
    assert any(line.endswith(": INTERRUPTED (1 s)") for line in lines)
    assert lines[-1].endswith(": DEPLOYED (3 s)")


def test_a_skipped_revision_is_not_live_the_one_that_superseded_it_is_waited_for(api):
    c = client(api)
    first = c.create(spec(api))
    newer = c.patch(
        first.id, spec(api, image="registry.example.com/support-bot:2.0.0").update_body()
    )
    assert newer.latest_revision_id != first.latest_revision_id
    assert c.wait_until_deployed(first) == newer.latest_revision_id


def test_a_failed_revision_fails_with_its_status_and_the_tail_of_its_logs(api):
    api.state.revision_outcomes[IMAGE] = ("DEPLOY_FAILED", "image pull failed: unauthorized\x1b[2J")
    c = client(api)
    deployment = c.create(spec(api))
    with pytest.raises(RevisionFailedError) as info:
        c.wait_until_deployed(deployment)
    message = str(info.value)
    assert "ended DEPLOY_FAILED; the last 4 lines of its deploy logs:" in message
    assert message.endswith("  step 3: ok\n  image pull failed: unauthorized\\u001b[2J")
    assert KEY not in message
    assert SECRET_VALUE not in message


def test_the_wait_is_bounded(api):
    api.state.revision_outcomes[IMAGE] = "stuck"
    c = client(api, wait_timeout=10)
    deployment = c.create(spec(api))
    with pytest.raises(ApiError, match=r"still QUEUED after 10 s; LangSmith goes on with it"):
        c.wait_until_deployed(deployment)
    assert sum(c.clock_.sleeps) == 10


def test_delete_waits_until_gone_and_404_counts_as_done(api):
    api.state.delete_polls = 3  # AWAITING_DELETE for three reads while the operator cleans up
    c = client(api)
    deployment = c.create(spec(api))
    assert c.delete(deployment.id) is True
    assert api.state.deployments.items == {}
    assert c.clock_.sleeps == [1, 1, 1]
    assert c.delete(deployment.id) is False


def test_a_delete_after_a_killed_run_still_waits_until_gone(api):
    """A run killed while a deployment was AWAITING_DELETE: the next run's DELETE finds
    nothing (404), but the operator is still removing it and the listener must outlive that."""
    api.state.delete_polls = 10**6
    c = client(api)
    deployment = c.create(spec(api))
    c.delete(deployment.id, wait=False)  # the killed run got this far
    api.state.deployments.items[deployment.id]["_polls_left"] = 2  # the operator finishes
    assert c.delete(deployment.id) is False
    assert api.state.deployments.items == {}
    assert c.clock_.sleeps == [1, 1]


def test_a_deletion_that_never_finishes_is_bounded(api):
    api.state.delete_polls = 10**6
    c = client(api, wait_timeout=5)
    deployment = c.create(spec(api))
    with pytest.raises(ApiError, match=r"still AWAITING_DELETE 5 s after its deletion"):
        c.delete(deployment.id)


def test_5xx_and_dropped_connections_are_retried(api):
    api.state.fail_next.extend([503, "drop", 502])
    c = client(api)
    assert c.create(spec(api)).name == "support-bot"
    assert len(api.state.deployments.items) == 1  # a create is never made twice
    assert len(c.clock_.sleeps) == 3  # one backoff per failed attempt


def test_429_honours_retry_after_capped(api):
    api.state.fail_next.extend([(429, 7), (429, 3600)])
    c = client(api)
    assert c.create(spec(api)).name == "support-bot"
    assert c.clock_.sleeps == [7.0, 60.0]  # Retry-After, at most a minute


def test_rate_limits_while_waiting_delay_the_wait_and_the_message_names_the_status(api):
    api.state.revision_outcomes[IMAGE] = "stuck"
    c = client(api, wait_timeout=20)
    deployment = c.create(spec(api))
    api.state.fail_next.extend([(429, 1)] * 5)  # more than the transport's 4 retries
    with pytest.raises(ApiError) as info:
        c.wait_until_deployed(deployment)
    message = str(info.value)
    assert "deployment 'support-bot'" in message
    assert "still QUEUED after 20 s" in message


def test_the_waits_end_where_langchains_clients_end_them():
    from langsmith_dataplane.api.revisions import DEFAULT_TIMEOUT, FAILED, LIVE, SUPERSEDED

    assert ({"DEPLOYED"}, {"SKIPPED"}) == (LIVE, SUPERSEDED)
    assert {"CREATE_FAILED", "BUILD_FAILED", "DEPLOY_FAILED"} == FAILED
    assert "INTERRUPTED" not in FAILED | LIVE  # can still progress
    assert DEFAULT_TIMEOUT == 1800


def test_403_for_a_key_without_the_workspace(api):
    with pytest.raises(ApiError, match=f"no access to workspace {OTHER}") as info:
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
    assert call("POST", "/v2/deployments", spec(api).create_body()) == 400
    deployment_id = stored(api)["id"]
    assert call("GET", f"/v2/deployments/{deployment_id}") == 200
    assert call("DELETE", f"/v2/deployments/{deployment_id}") == 204


# -- the dynamic provider ----------------------------------------------------------------------


def test_provider_create_waits_and_returns_ids(api):
    result = AgentDeploymentProvider().create(props(api))
    assert result.id == stored(api)["id"]
    assert result.outs["revision_id"] == stored(api)["latest_revision_id"]
    assert stored(api)["status"] == "READY"  # the revision reached DEPLOYED
    secrets = {s["name"]: s["value"] for s in stored(api)["secrets"]}
    assert secrets == {
        "LOG_LEVEL": "info",
        "DATAPLANE_SECRETS_CHECKSUM": "0123456789abcdef",
        "DATAPLANE_MANAGED_BY": OWNER,
    }
    assert SECRET_VALUE not in json.dumps(api.state.deployments.items)


def test_provider_secret_rotation_is_a_new_revision_and_nothing_else(api):
    provider = AgentDeploymentProvider()
    created = provider.create(props(api))
    rotated = props(
        api, env={"LOG_LEVEL": "info", "DATAPLANE_SECRETS_CHECKSUM": "fedcba9876543210"}
    )
    provider.update(created.id, created.outs, rotated)
    assert len(api.state.deployments.revisions) == 2
    [patch] = [r for r in api.state.requests if r[0] == "PATCH"]
    new_key = props(api, api_key=KEY)  # an unchanged topology: no PATCH at all
    provider.update(created.id, rotated, new_key | {"env": rotated["env"]})
    assert [r for r in api.state.requests if r[0] == "PATCH"] == [patch]


def test_a_custom_url_cannot_be_cleared_so_removing_it_is_refused_before_any_write(api):
    provider = AgentDeploymentProvider()
    created = provider.create(props(api, custom_url="https://bot.example.com"))
    requests = len(api.state.requests)
    with pytest.raises(ApiError, match=r"cannot clear a custom URL once set.*Nothing was sent"):
        provider.update(created.id, created.outs, props(api))
    assert len(api.state.requests) == requests
    assert stored(api)["source_config"]["custom_url"] == "https://bot.example.com"


def test_a_resource_spec_change_keeps_what_the_topology_does_not_model(api):
    """`resource_spec` replaces the whole object: the current one is read and merged, so the
    queue and sidecar settings made in the UI stay."""
    provider = AgentDeploymentProvider()
    created = provider.create(props(api, resource_spec={"min_scale": 1}))
    ui = {"min_scale": 1, "queue_min_scale": 2, "image_pull_secrets": [{"name": "creds"}]}
    stored(api)["source_config"]["resource_spec"] = ui
    provider.update(created.id, created.outs, props(api, resource_spec={"min_scale": 3}))
    assert stored(api)["source_config"]["resource_spec"] == {**ui, "min_scale": 3}


def test_removing_the_last_variable_removes_it(api):
    """The service reads `secrets: []` as "unchanged"; the owner variable keeps the list from
    ever being empty, so the removed variable is gone."""
    provider = AgentDeploymentProvider()
    created = provider.create(props(api, env={"LOG_LEVEL": "debug"}))
    provider.update(created.id, created.outs, props(api, env={}))
    assert {s["name"] for s in stored(api)["secrets"]} == {"DATAPLANE_MANAGED_BY"}


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


def test_a_refresh_with_a_revoked_key_keeps_the_deployment(api):
    provider = AgentDeploymentProvider()
    created = provider.create(props(api))
    stale = {**created.outs, "api_key": "lsv2_sk_revoked_key_00000000000000000000"}
    assert provider.read(created.id, stale).id == created.id
    assert created.id in api.state.deployments.items


def test_provider_delete_tolerates_404(api):
    provider = AgentDeploymentProvider()
    created = provider.create(props(api))
    provider.delete(created.id, created.outs)
    assert api.state.deployments.items == {}  # waited until the deployment was gone
    provider.delete(created.id, created.outs)


def test_provider_failed_revision_surfaces_in_pulumi_up(api):
    api.state.revision_outcomes[IMAGE] = ("DEPLOY_FAILED", "crash loop: missing env FOO")
    with pytest.raises(RevisionFailedError, match=r"(?s)DEPLOY_FAILED; .*\n  crash loop"):
        AgentDeploymentProvider().create(props(api))


def test_delete_can_take_the_tracing_project_along(api):
    provider = AgentDeploymentProvider()
    created = provider.create(props(api, delete_tracing_project=True))
    provider.delete(created.id, created.outs)
    [delete] = [path for method, path, _ in api.state.requests if method == "DELETE"]
    assert delete.endswith("?delete_tracing_project=true")


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
        {
            "name": "OPENAI_API_KEY",
            "secret_name": "support-bot-env",
            "secret_key": "OPENAI_API_KEY",
        },
        *(
            {"name": k, "secret_name": "support-bot-backing-stores", "secret_key": k}
            for k in ("POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM")
        ),
    ]
    assert set(inputs["env"]) == {"LOG_LEVEL", "DATAPLANE_SECRETS_CHECKSUM"}
    assert "secret_env" not in inputs
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
        with_image().replace(DEPLOYMENT, "      support-bot: {redisDb: 1}\n")
    ).model
    losses = diff_topologies(base, gone).stacks["prod-alpha"].stateful_losses
    assert "removed langsmith/Deployment a-prod-agent-support-bot" in losses


def test_a_deployment_of_a_multi_namespace_listener_names_its_namespace():
    text = edit(
        REFERENCE_TEXT,
        "    namespaces: [team-a]\n",
        "    namespaces: [team-a, team-c]\n    deployments:\n"
        "      bot: {redisDb: 1, image: 'r.io/bot:1'}\n",
    )
    [error] = errors_of(text)
    assert error.message.startswith("deployment 'bot' needs 'namespace'")


def test_render_writes_each_deployment_request_as_sent_valid_against_the_openapi(tmp_path):
    import yaml

    from langsmith_dataplane.review.render import render_stack
    from tests.fake_deployments import schema_check

    rendered = render_stack(parse_topology(with_image()).model, "prod-alpha", tmp_path)
    [path] = rendered.deployments
    text = path.read_text()
    assert path.name == "a-prod-agent-support-bot.yaml"
    body = yaml.safe_load(text)
    assert schema_check(control_plane_openapi(), "DeploymentCreateRequest", body) is None
    assert body["source_revision_config"] == {"image_uri": "registry.example.com/support-bot:1.4.2"}
    assert {r["secret_name"] for r in body["secret_references"]} == {
        "support-bot-backing-stores",
        "support-bot-env",
    }
    assert {s["name"] for s in body["secrets"]} == {
        "LOG_LEVEL",
        "DATAPLANE_SECRETS_CHECKSUM",
        "DATAPLANE_MANAGED_BY",
    }
    assert "postgres://" not in text


# -- secrets and stores stay in the deployment's namespace ------------------------------------


def test_store_and_env_secrets_live_only_in_the_deployments_namespace():
    from langsmith_dataplane.review.masking import reveal
    from tests.sim import simulated_text

    text = edit(
        REFERENCE_TEXT,
        "    namespaces: [team-a]\n    postgres: {inCluster: {}}\n",
        "    namespaces: [team-a, team-z]\n    postgres: {inCluster: {}}\n    deployments:\n"
        "      bot:\n        redisDb: 1\n        namespace: team-z\n"
        "        image: r.example.com/bot:1.0.0\n        secretEnv: {OPENAI_API_KEY: openai.key}\n"
        "      quiet: {redisDb: 2, namespace: team-a}\n",
    )
    sim = simulated_text(text, "dev")
    secrets = {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]): r
        for r in sim.by_type("kubernetes:core/v1:Secret")
    }
    assert ("team-z", "bot-backing-stores") in secrets
    assert ("team-a", "bot-backing-stores") not in secrets
    assert ("team-a", "quiet-backing-stores") in secrets
    assert ("team-z", "quiet-backing-stores") not in secrets
    env = reveal(secrets[("team-z", "bot-env")].inputs["stringData"])
    assert set(env) == {"OPENAI_API_KEY"}
    # Each deployment connects as its own role to its own database, never as the admin.
    uri = reveal(secrets[("team-z", "bot-backing-stores")].inputs["stringData"])
    assert uri["POSTGRES_URI_CUSTOM"].startswith("postgres://bot:")
    assert uri["POSTGRES_URI_CUSTOM"].split("?")[0].endswith("/bot")
    roles = reveal(secrets[("langgraph-a-dev", "a-dev-postgres-roles")].inputs["stringData"])
    assert set(roles) == {"bot", "quiet"}


def test_image_pull_secrets_reach_the_resource_spec_valid_against_the_openapi(tmp_path):
    import yaml

    from langsmith_dataplane.review.render import render_stack
    from tests.fake_deployments import schema_check

    text = with_image().replace(
        "        resources: {minScale: 1",
        "        imagePullSecrets: [registry-creds]\n        resources: {minScale: 1",
    )
    rendered = render_stack(parse_topology(text).model, "prod-alpha", tmp_path)
    [path] = rendered.deployments
    body = yaml.safe_load(path.read_text())
    assert body["source_config"]["resource_spec"]["image_pull_secrets"] == [
        {"name": "registry-creds"}
    ]
    assert schema_check(control_plane_openapi(), "DeploymentCreateRequest", body) is None


def test_plan_says_dns_must_exist_before_the_first_wait(capsys, tmp_path):
    text = edit(
        REFERENCE_TEXT,
        "      context: dev                   # kubeconfig context\n",
        "      context: dev                   # kubeconfig context\n    hostname: agents.dev.example.com\n",
    )
    text = edit(
        text,
        "    namespaces: [team-a]\n",
        "    namespaces: [team-a]\n    deployments: {bot: {redisDb: 1, image: 'r.io/bot:1'}}\n",
    )
    path = tmp_path / "t.yaml"
    path.write_text(text)
    assert main(["plan", str(path), "--stack", "dev"]) == 0
    out = capsys.readouterr().out
    assert "checks through agents.dev.example.com: create its DNS record" in out
    assert "langsmith-dataplane:waitForRevisions false" in out
