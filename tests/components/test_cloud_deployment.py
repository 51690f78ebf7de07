"""`CloudDeployment` through every lifecycle path over real HTTP against the fake control plane
(GitHub integrations and `source: github`, every body checked against the OpenAPI document)."""

from __future__ import annotations

import pytest

from components.cloud_deployment_record import CloudDeploymentProvider
from langsmith_dataplane.api.transport import ApiError
from tests.artifacts import control_plane_openapi
from tests.fake_control_plane import ApiKey, FakeControlPlane, RunningControlPlane

WORKSPACE = "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01"
KEY = "lsv2_pt_cloud_deployment_test_key_00000000"
REPO = "https://github.com/example-org/support-bot"
OPENAI = "sk-cloud-test-openai-value-0123456789"


@pytest.fixture
def api():
    state = FakeControlPlane(keys={KEY: ApiKey({WORKSPACE})}, openapi=control_plane_openapi())
    state.install_github(WORKSPACE, "example-org", [REPO])
    with RunningControlPlane(state) as running:
        yield running
    assert state.violations == []


def props(api, **extra):
    return {
        "kind": "langsmith-cloud-deployment",
        "base_url": api.url,
        "workspace_id": WORKSPACE,
        "api_key": KEY,
        "name": "support-bot-dev",
        "integration": "example-org",
        "repo_url": REPO,
        "repo_ref": "main",
        "config_path": "langgraph.json",
        "deployment_type": "dev",
        "build_on_push": True,
        "env": {"LOG_LEVEL": "debug"},
        "secret_env": {"OPENAI_API_KEY": OPENAI},
        "wait": True,
        "poll": 0.01,
        "managed_by": "langsmith-dataplane stack dev: deployment support-bot-dev",
        **extra,
    }


def only(api) -> dict:
    [item] = api.state.deployments.items.values()
    return item


def test_create_resolves_the_integration_by_name_and_waits_for_deployed(api):
    created = CloudDeploymentProvider().create(props(api))
    item = only(api)
    integration = next(iter(api.state.github_integrations))
    assert item["source"] == "github"
    assert item["source_config"]["integration_id"] == integration
    assert item["source_revision_config"] == {
        "repo_ref": "main",
        "langgraph_config_path": "langgraph.json",
    }
    assert item["status"] == "READY"  # the create waited for DEPLOYED
    assert created.outs["custom_url"] == item["source_config"]["custom_url"]
    assert created.outs["integration_id"] == integration
    # secretEnv travels as a secret value (Cloud SaaS has no cluster Secret).
    assert {"name": "OPENAI_API_KEY", "value": OPENAI} in item["secrets"]


def test_an_integration_id_is_accepted_too(api):
    integration = next(iter(api.state.github_integrations))
    CloudDeploymentProvider().create(props(api, integration=integration))
    assert only(api)["source_config"]["integration_id"] == integration


def test_a_ref_change_makes_exactly_one_new_revision(api):
    provider = CloudDeploymentProvider()
    created = provider.create(props(api))
    news = props(api, repo_ref="release-2")
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes
    assert diff.replaces == []
    before = len(api.state.deployments.revisions_of(created.id))
    updated = provider.update(created.id, created.outs, news)
    revisions = api.state.deployments.revisions_of(created.id)
    assert len(revisions) == before + 1
    assert revisions[-1]["source_revision_config"]["repo_ref"] == "release-2"
    assert revisions[-1]["status"] == "DEPLOYED"
    assert updated.outs["revision_id"] == revisions[-1]["id"]
    # Nothing changed: nothing sent, no revision.
    provider.update(created.id, updated.outs, news)
    assert len(api.state.deployments.revisions_of(created.id)) == before + 1


def test_a_ref_and_env_change_together_are_still_one_revision(api):
    provider = CloudDeploymentProvider()
    created = provider.create(props(api))
    news = props(api, repo_ref="release-2", env={"LOG_LEVEL": "info"})
    provider.update(created.id, created.outs, news)
    assert len(api.state.deployments.revisions_of(created.id)) == 2


def test_build_on_push_changes_without_a_revision(api):
    provider = CloudDeploymentProvider()
    created = provider.create(props(api))
    provider.update(created.id, created.outs, props(api, build_on_push=False))
    assert len(api.state.deployments.revisions_of(created.id)) == 1
    assert only(api)["source_config"]["build_on_push"] is False


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("repo_url", "https://github.com/example-org/other"),
        ("deployment_type", "prod"),
        ("integration", "other-org"),
        ("name", "support-bot-2"),
    ],
)
def test_immutable_fields_replace(api, key, value):
    provider = CloudDeploymentProvider()
    created = provider.create(props(api))
    diff = provider.diff(created.id, created.outs, props(api, **{key: value}))
    assert diff.replaces == [key]
    assert diff.delete_before_replace


def test_a_failed_build_names_the_deployment_and_the_status(api):
    api.state.revision_outcomes["broken"] = ("BUILD_FAILED", "langgraph.json: graph not found")
    with pytest.raises(
        ApiError, match=r"(?s)'support-bot-dev' .* ended BUILD_FAILED; .*build logs:.*graph not"
    ):
        CloudDeploymentProvider().create(props(api, repo_ref="broken"))


def test_create_recognises_its_own_and_refuses_another_source(api):
    provider = CloudDeploymentProvider()
    first = provider.create(props(api))
    again = provider.create(props(api))  # a create whose response was lost
    assert again.id == first.id
    assert again.outs["adopted"] is False  # the stack's own, by its owner variable
    assert len(api.state.deployments.items) == 1
    api.state.install_github(WORKSPACE, "other", ["https://github.com/other/bot"])
    with pytest.raises(ApiError, match=r"exists with source github .*support-bot"):
        provider.create(props(api, integration="other", repo_url="https://github.com/other/bot"))


def test_unknown_integration_and_unreadable_repository_are_clear(api):
    with pytest.raises(ApiError, match=r"'nobody' is not one of the workspace's \(example-org\)"):
        CloudDeploymentProvider().create(props(api, integration="nobody"))
    with pytest.raises(ApiError, match=r"cannot read https://github.com/example-org/secret"):
        CloudDeploymentProvider().create(
            props(api, repo_url="https://github.com/example-org/secret")
        )
    assert api.state.deployments.items == {}


def test_refresh_after_a_ui_deletion_recreates_and_delete_waits_until_gone(api):
    provider = CloudDeploymentProvider()
    created = provider.create(props(api))
    api.state.deployments.items.clear()  # deleted in the UI
    assert provider.read(created.id, created.outs).id is None
    again = provider.create(props(api))
    provider.delete(again.id, again.outs)
    assert api.state.deployments.items == {}
    provider.delete(again.id, again.outs)  # already gone: done


def test_no_secret_value_in_any_message(api):
    api.state.revision_outcomes["broken"] = ("DEPLOY_FAILED", "crash")
    with pytest.raises(ApiError) as info:
        CloudDeploymentProvider().create(props(api, repo_ref="broken"))
    assert OPENAI not in str(info.value)
    assert KEY not in str(info.value)


def test_naming_the_same_integration_another_way_replaces_nothing(api):
    """The service keys a deployment on the integration's id: its id instead of its name, or
    its new name after the GitHub account was renamed, is no change."""
    provider = CloudDeploymentProvider()
    created = provider.create(props(api))
    integration = created.outs["integration_id"]
    by_id = props(api, integration=integration)
    assert provider.diff(created.id, created.outs, by_id).changes is False
    api.state.github_integrations[integration]["name"] = "example-org-renamed"
    renamed = props(api, integration="example-org-renamed")
    diff = provider.diff(created.id, created.outs, renamed)
    assert diff.replaces == []
    assert diff.changes is False
    api.state.install_github(WORKSPACE, "another", [REPO])
    assert provider.diff(created.id, created.outs, props(api, integration="another")).replaces == [
        "integration"
    ]


def test_a_refresh_keeps_the_topologys_ref_and_records_the_commit(api):
    provider = CloudDeploymentProvider()
    created = provider.create(props(api))
    only(api)["source_revision_config"]["repo_ref"] = "4f1c2e9"  # resolved by LangSmith
    read = provider.read(created.id, created.outs)
    assert read.outs["repo_ref"] == "main"
    assert read.outs["resolved_ref"] == "4f1c2e9"
    assert provider.diff(created.id, read.outs, props(api)).changes is False


def test_removing_every_variable_removes_them(api):
    provider = CloudDeploymentProvider()
    created = provider.create(props(api))
    provider.update(created.id, created.outs, props(api, env={}, secret_env={}))
    assert [s["name"] for s in only(api)["secrets"]] == ["DATAPLANE_MANAGED_BY"]
