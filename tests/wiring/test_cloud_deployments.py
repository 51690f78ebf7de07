"""Cloud SaaS deployments as the stacks declare them (examples/promotion.yaml, under mocks), and
how plan, diff and render show the three models side by side."""

from __future__ import annotations

import json

from langsmith_dataplane.cli import main
from langsmith_dataplane.review.diff import diff_topologies
from langsmith_dataplane.simulation import Secret
from langsmith_dataplane.topology import parse_topology
from tests.helpers import REPO, edit
from tests.sim import PLANTED_KEY, plain_strings, simulated, simulated_text

EXAMPLE = REPO / "examples/promotion.yaml"
TEXT = EXAMPLE.read_text()
DYNAMIC = "pulumi-python:dynamic:Resource"


def cloud(sim):
    return [r for r in sim.by_type(DYNAMIC) if r.inputs.get("kind") == "langsmith-cloud-deployment"]


def test_a_stack_of_only_a_cloud_deployment_declares_only_it():
    sim = simulated(EXAMPLE, "dev")
    [deployment] = cloud(sim)
    [component] = sim.by_type("langsmith:index:CloudDeployment")
    assert {r.urn for r in sim.resources} == {component.urn, deployment.urn}
    assert deployment.parent == component.urn
    inputs = deployment.inputs
    assert inputs["name"] == "support-bot-dev"
    assert inputs["repo_url"] == "https://github.com/example-org/support-bot"
    assert (inputs["repo_ref"], inputs["config_path"], inputs["deployment_type"]) == (
        "main",
        "langgraph.json",
        "dev",
    )
    assert inputs["base_url"] == "https://api.host.langchain.com"
    assert isinstance(inputs["api_key"], Secret)
    assert isinstance(inputs["secret_env"]["OPENAI_API_KEY"], Secret)  # names readable
    for text in plain_strings(inputs):
        assert PLANTED_KEY not in text
    assert sim.outputs["cloudDeployments"]["support-bot-dev"]["url"].endswith(".langgraph.app")
    assert not cloud(simulated(EXAMPLE, "prod"))


def test_a_prod_cloud_deployment_in_a_protect_stack_is_protected():
    moved = edit(TEXT, "    stack: dev\n    type: dev\n", "    stack: prod\n    type: prod\n")
    moved = edit(moved, "  dev: {}\n", "")
    [deployment] = cloud(simulated_text(moved, "prod"))
    assert deployment.protect


def test_a_cloud_deployment_of_a_created_workspace_gets_its_own_key():
    created = edit(
        TEXT,
        "    id: 5c2d7e9a-1b3f-4a6c-8d0e-2f4a6b8c0d1e\n    apiKey: support.apiKey\n",
        "    handle: support\n    owner: prod\n",
    )
    created = edit(
        created,
        "  region: us\n",
        "  region: us\n  organizationId: 0b9b7c1e-3a5d-4f6e-8a7b-9c0d1e2f3a4b\n"
        "  adminKey: langsmith.adminKey\n",
    )
    sim = simulated_text(created, "dev")
    keys = [r for r in sim.by_type(DYNAMIC) if r.inputs.get("kind") == "langsmith-service-key"]
    assert [k.name for k in keys] == ["workspace-support-key-cloud-deployment-support-bot-dev"]
    assert (
        keys[0]
        .inputs["description"]
        .startswith(
            "langsmith-dataplane: cloud-deployment support-bot-dev on cluster langchain-cloud"
        )
    )
    [deployment] = cloud(sim)
    assert keys[0].urn in deployment.dependencies


def test_diff_a_ref_change_updates_a_type_change_or_removal_is_a_stateful_loss():
    base = parse_topology(TEXT).model
    ref = diff_topologies(base, parse_topology(edit(TEXT, "ref: main", "ref: release-2")).model)
    [change] = ref.stacks["dev"].changes
    assert change.kind == "changed"
    assert change.paths == ("repo_ref",)
    assert ref.stateful_losses == []
    typed = diff_topologies(base, parse_topology(edit(TEXT, "type: dev", "type: prod")).model)
    assert typed.stateful_losses == [
        ("dev", "replaced langsmith/CloudDeploymentRecord cloud-support-bot-dev-deployment")
    ]
    gone = edit(TEXT, TEXT[TEXT.index("cloudDeployments:") : TEXT.index("listeners:")], "")
    removed = diff_topologies(base, parse_topology(edit(gone, "  dev: {}\n", "")).model)
    assert (
        "dev",
        "removed langsmith/CloudDeploymentRecord cloud-support-bot-dev-deployment",
    ) in removed.stateful_losses


def test_plan_shows_all_three_models(capsys):
    assert main(["plan", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "LangChain cloud (Cloud SaaS" in out
    assert (
        "cloud deployment support-bot-dev: workspace support, "
        "https://github.com/example-org/support-bot@main (langgraph.json), type dev" in out
    )
    assert "listener support-prod:" in out
    assert "agent server support-search (standalone" in out
    assert "1 langsmith/CloudDeploymentRecord" in out
    assert main(["plan", str(EXAMPLE), "--format", "json"]) == 0
    stacks = json.loads(capsys.readouterr().out)["stacks"]
    assert stacks["dev"]["resourceCount"] == 2
