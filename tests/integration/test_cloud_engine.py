"""A Cloud SaaS deployment through the real engine: a stack that owns no cluster creates it
against the fake control plane (GitHub integration by name, every request checked against the
OpenAPI document), a ref change makes exactly one new revision, and destroy removes it.

LangChain runs Cloud SaaS deployments, so no Kubernetes API server takes part; the fake control
plane is served over HTTPS with a test CA the engine's dynamic provider trusts.
"""

from __future__ import annotations

import json

import pytest

from tests.artifacts import control_plane_openapi
from tests.fake_control_plane import ApiKey, FakeControlPlane, RunningControlPlane
from tests.helpers import edit
from tests.integration.engine import keep_log, plain, ready_project
from tests.integration.pki import make_pki

pytestmark = pytest.mark.integration

WORKSPACE = "5c2d7e9a-1b3f-4a6c-8d0e-2f4a6b8c0d1e"
KEY = "lsv2_pt_" + "c1" * 16 + "_0123456789"
OPENAI = "sk-cloud-engine-openai-value-0123456789"
REPO = "https://github.com/example-org/support-bot"
STACK = "dev"

TOPOLOGY = """\
version: 1
controlPlane:
  hostBackendUrl: {url}
  smithBackendUrl: {url}
  egressCidrs: [127.0.0.1/32]
workspaces:
  support: {{id: {workspace}, apiKey: support.apiKey}}
cloudDeployments:
  support-bot-dev:
    workspace: support
    stack: {stack}
    type: dev
    github:
      integration: example-org
      repository: {repo}
      ref: main
      buildOnPush: true
    env: {{LOG_LEVEL: debug}}
    secretEnv: {{OPENAI_API_KEY: openai.devKey}}
stacks:
  {stack}: {{}}
"""


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("cloud-pki"))


@pytest.fixture(scope="module")
def fake_cp(pki):
    state = FakeControlPlane(keys={KEY: ApiKey({WORKSPACE})}, openapi=control_plane_openapi())
    state.install_github(WORKSPACE, "example-org", [REPO])
    with RunningControlPlane(state, tls=(pki.server_cert, pki.server_key)) as running:
        yield running
    assert state.violations == []  # every request and response matched the document


@pytest.fixture(scope="module")
def topology(fake_cp) -> str:
    return TOPOLOGY.format(url=fake_cp.url, workspace=WORKSPACE, repo=REPO, stack=STACK)


@pytest.fixture(scope="module")
def project(pki, fake_cp, tmp_path_factory, topology):
    root = tmp_path_factory.mktemp("cloud-project")
    project = ready_project(
        root,
        stack=STACK,
        kubeconfig=root / "no-cluster-kubeconfig",
        ca_file=pki.ca_cert,
        topology=topology,
        secrets={"support.apiKey": KEY, "openai.devKey": OPENAI},
    )
    yield project
    keep_log(project)


def deployments(fake_cp) -> list[dict]:
    return list(fake_cp.state.deployments.items.values())


def test_up_creates_the_cloud_deployment(project, fake_cp):
    result = project.up()
    assert "error" not in plain(result.out).lower().split("outputs:")[0]
    [item] = deployments(fake_cp)
    assert item["source"] == "github"
    assert item["name"] == "support-bot-dev"
    assert item["source_config"]["repo_url"] == REPO
    assert item["source_config"]["integration_id"] in fake_cp.state.github_integrations
    assert item["status"] == "READY"  # the up waited for the revision to be DEPLOYED
    assert len(fake_cp.state.deployments.revisions_of(item["id"])) == 1
    outputs = project.outputs()["cloudDeployments"]["support-bot-dev"]
    assert outputs["url"] == item["source_config"]["custom_url"]
    assert outputs["deploymentId"] == item["id"]


def test_a_second_up_changes_nothing(project):
    project.up("--expect-no-changes")


def test_the_secret_value_never_reaches_state_or_output_in_plain_text(project):
    state = json.dumps(project.export())
    assert OPENAI not in state
    assert KEY not in state
    assert all(OPENAI not in entry for entry in project.log)


def test_a_ref_change_makes_exactly_one_new_revision(project, fake_cp, topology):
    [item] = deployments(fake_cp)
    before = fake_cp.state.deployments.revisions_of(item["id"])
    project.write_topology(edit(topology, "ref: main", "ref: release-2"))
    preview = project.preview_json()
    ops = {
        step["op"]
        for step in preview["steps"]
        if step["urn"].endswith("::cloud-support-bot-dev-deployment")
    }
    assert ops == {"update"}  # a new revision, never a replacement
    project.up()
    after = fake_cp.state.deployments.revisions_of(item["id"])
    assert len(after) == len(before) + 1
    assert after[-1]["source_revision_config"]["repo_ref"] == "release-2"
    assert after[-1]["status"] == "DEPLOYED"
    assert [d["id"] for d in deployments(fake_cp)] == [item["id"]]
    project.up("--expect-no-changes")


def deployment_ops(project) -> set[str]:
    return {
        step["op"]
        for step in project.preview_json()["steps"]
        if step["urn"].endswith("::cloud-support-bot-dev-deployment")
    }


def test_each_status_of_the_wait_is_a_line_the_engine_shows(project, topology):
    project.write_topology(edit(topology, "ref: main", "ref: release-3"))
    out = plain(project.up().text)
    assert "deployment 'support-bot-dev' (https://support-bot-dev-" in out
    for status in ("AWAITING_BUILD", "BUILDING", "DEPLOYING", "DEPLOYED"):
        assert f": {status} (" in out, out
    project.write_topology(edit(topology, "ref: main", "ref: release-2"))
    project.up()


def test_naming_the_integration_by_its_id_replaces_nothing(project, fake_cp, topology):
    """The service keys the deployment on the integration's id: saying the same installation
    another way (its id, its new name after an account rename) changes nothing."""
    [item] = deployments(fake_cp)
    integration = item["source_config"]["integration_id"]
    current = edit(topology, "ref: main", "ref: release-2")
    project.write_topology(edit(current, "integration: example-org", f"integration: {integration}"))
    assert deployment_ops(project) <= {"same"}  # no update, no replacement
    project.up("--expect-no-changes")
    fake_cp.state.github_integrations[integration]["name"] = "example-org-renamed"
    renamed = edit(current, "integration: example-org", "integration: example-org-renamed")
    project.write_topology(renamed)
    project.up("--expect-no-changes")
    assert [d["id"] for d in deployments(fake_cp)] == [item["id"]]
    fake_cp.state.github_integrations[integration]["name"] = "example-org"
    project.write_topology(current)


def test_an_interrupted_revision_is_waited_for_and_deploys(project, fake_cp, topology):
    fake_cp.state.revision_outcomes["release-4"] = "interrupted"
    project.write_topology(edit(topology, "ref: main", "ref: release-4"))
    out = plain(project.up().text)
    assert ": INTERRUPTED (" in out
    [item] = deployments(fake_cp)
    assert fake_cp.state.deployments.revisions_of(item["id"])[-1]["status"] == "DEPLOYED"


def test_a_lost_patch_answer_makes_one_revision(project, fake_cp, topology):
    [item] = deployments(fake_cp)
    before = len(fake_cp.state.deployments.revisions_of(item["id"]))
    fake_cp.state.fault("PATCH", f"/v2/deployments/{item['id']}", "act-then-drop")
    project.write_topology(edit(topology, "ref: main", "ref: release-5"))
    project.up()
    revisions = fake_cp.state.deployments.revisions_of(item["id"])
    assert len(revisions) == before + 1
    assert revisions[-1]["source_revision_config"]["repo_ref"] == "release-5"
    project.up("--expect-no-changes")


def test_removing_every_variable_removes_them(project, fake_cp, topology):
    bare = edit(topology, "ref: main", "ref: release-5")
    bare = edit(
        bare, "    env: {LOG_LEVEL: debug}\n    secretEnv: {OPENAI_API_KEY: openai.devKey}\n", ""
    )
    project.write_topology(bare)
    project.up()
    [item] = deployments(fake_cp)
    assert [s["name"] for s in item["secrets"]] == ["DATAPLANE_MANAGED_BY"]
    project.up("--expect-no-changes")


def test_a_failed_build_keeps_what_langsmith_runs_so_a_revert_is_a_change(
    project, fake_cp, topology
):
    """After a failed revision LangSmith builds the new ref: the state says so (the record is
    kept with an init error), so reverting the topology is an update, not "unchanged"."""
    fake_cp.state.revision_outcomes["broken"] = ("BUILD_FAILED", "langgraph.json: no graph 'x'")
    [item] = deployments(fake_cp)
    project.write_topology(edit(topology, "ref: main", "ref: broken"))
    failed = project.up(check=False)
    assert failed.code != 0
    out = plain(failed.text)
    assert "ended BUILD_FAILED" in out
    assert "langgraph.json: no graph 'x'" in out  # the tail of its build logs
    [record] = [
        r
        for r in project.export()["deployment"]["resources"]
        if r["urn"].endswith("::cloud-support-bot-dev-deployment")
    ]
    assert record["outputs"]["repo_ref"] == "broken"
    assert record.get("initErrors")
    project.write_topology(edit(topology, "ref: main", "ref: release-5"))
    assert deployment_ops(project) == {"update"}
    project.up()
    revisions = fake_cp.state.deployments.revisions_of(item["id"])
    assert revisions[-1]["source_revision_config"]["repo_ref"] == "release-5"
    assert revisions[-1]["status"] == "DEPLOYED"
    project.up("--expect-no-changes")


SECOND = """\
  support-bot-preview:
    workspace: support
    stack: {stack}
    type: dev
    github: {{integration: example-org, repository: {repo}, ref: never-builds}}
"""


def test_a_create_whose_wait_failed_is_kept_and_destroy_removes_it(project, fake_cp, topology):
    """The Terraform provider keeps the id in state before it waits; so does the stack, so
    neither a retry nor a destroy leaves the deployment behind."""
    fake_cp.state.revision_outcomes["never-builds"] = ("BUILD_FAILED", "no langgraph.json")
    current = edit(topology, "ref: main", "ref: release-5")
    with_second = edit(current, "stacks:\n", SECOND.format(stack=STACK, repo=REPO) + "stacks:\n")
    project.write_topology(with_second)
    assert project.up(check=False).code != 0
    names = sorted(d["name"] for d in deployments(fake_cp))
    assert names == ["support-bot-dev", "support-bot-preview"]
    urns = [r["urn"] for r in project.export()["deployment"]["resources"]]
    assert any(u.endswith("::cloud-support-bot-preview-deployment") for u in urns)
    # A retry finds it in the state: no second deployment of that name is made.
    assert project.up(check=False).code != 0
    assert len(deployments(fake_cp)) == 2
    # The records kept by failed waits hold their secrets encrypted, like every other.
    state = json.dumps(project.export())
    assert KEY not in state
    assert OPENAI not in state


def test_destroy_removes_it(project, fake_cp):
    project.run("destroy", "--yes", "--skip-preview")
    assert deployments(fake_cp) == []
