"""Created workspaces and service keys as the stacks declare them (examples/new-workspace.yaml,
under Pulumi's mocks): who creates, who looks up, where each key goes, what stays secret."""

from __future__ import annotations

import json

from langsmith_dataplane.review.diff import diff_topologies
from langsmith_dataplane.simulation import Secret
from langsmith_dataplane.topology import parse_topology
from tests.helpers import REPO, edit
from tests.sim import PLANTED_KEY, plain_strings, simulated, simulated_text

EXAMPLE = REPO / "examples/new-workspace.yaml"
TEXT = EXAMPLE.read_text()
DYNAMIC = "pulumi-python:dynamic:Resource"


def records(sim, kind: str):
    return [r for r in sim.by_type(DYNAMIC) if r.inputs.get("kind") == kind]


def test_the_owner_creates_the_workspace_and_keeps_it_on_removal():
    sim = simulated(EXAMPLE, "platform-us")
    [workspace] = records(sim, "langsmith-workspace")
    assert workspace.name == "workspace-team-c-record"
    assert workspace.inputs["display_name"] == "Team C"
    assert workspace.inputs["handle"] == "team-c"
    # allowDeletion false: removal only forgets it (the provider's delete keeps it, saying so).
    assert workspace.inputs["allow_deletion"] is False
    assert isinstance(workspace.inputs["admin_key"], Secret)
    assert not records(sim, "langsmith-workspace-lookup")


def test_another_stack_looks_it_up_by_handle_and_gets_the_same_id():
    owner = simulated(EXAMPLE, "platform-us")
    other = simulated(EXAMPLE, "platform-eu")
    [lookup] = records(other, "langsmith-workspace-lookup")
    assert lookup.inputs["handle"] == "team-c"
    assert lookup.inputs["owner"] == "platform-us"
    assert not records(other, "langsmith-workspace")
    assert owner.outputs["workspaces"]["team-c"]["source"] == "created"
    assert other.outputs["workspaces"]["team-c"]["source"] == "looked-up"
    assert (
        owner.outputs["workspaces"]["team-c"]["id"] == other.outputs["workspaces"]["team-c"]["id"]
    )


def test_each_listener_and_server_gets_its_own_key_scoped_to_the_workspace():
    sim = simulated(EXAMPLE, "platform-us")
    keys = {r.name: r for r in records(sim, "langsmith-service-key")}
    assert set(keys) == {
        "workspace-team-c-key-listener-c-prod",
        "workspace-team-c-key-agent-server-c-search",
    }
    workspace_id = sim.outputs["workspaces"]["team-c"]["id"]
    for key in keys.values():
        assert key.inputs["workspace_id"] == workspace_id
        assert key.inputs["role"] == "Editor"
        assert key.inputs["generation"] == 1
    described = keys["workspace-team-c-key-listener-c-prod"].inputs["description"]
    assert described == (
        "langsmith-dataplane: listener c-prod on cluster us-east (stack platform-us), generation 1"
    )
    # The registration and the Secret hold the listener's own key, as a secret.
    [registration] = [
        r for r in sim.by_type(DYNAMIC) if "compute_id" in r.inputs and "kind" not in r.inputs
    ]
    assert registration.inputs["workspace_id"] == workspace_id
    assert isinstance(registration.inputs["api_key"], Secret)
    assert keys["workspace-team-c-key-listener-c-prod"].urn in registration.dependencies


def test_no_key_or_admin_key_in_plain_text_anywhere():
    for stack in ("platform-us", "platform-eu"):
        sim = simulated(EXAMPLE, stack)
        for resource in sim.resources:
            assert all(PLANTED_KEY not in s for s in plain_strings(resource.inputs))
        outputs = json.dumps(sim.outputs, default=str)
        assert PLANTED_KEY not in outputs
        assert "placeholder-api-key" not in outputs
        assert "shortKey" in outputs  # the prefix LangSmith shows, to find the key there


def test_allow_deletion_and_protect_and_rotation():
    allowed = edit(
        TEXT, "    owner: platform-us ", "    allowDeletion: true\n    owner: platform-us "
    )
    [workspace] = records(simulated_text(allowed, "platform-us"), "langsmith-workspace")
    assert workspace.inputs["allow_deletion"] is True
    protected = edit(
        TEXT,
        "platform-us: {clusters: [us-east]}",
        "platform-us: {clusters: [us-east], protect: true}",
    )
    sim = simulated_text(protected, "platform-us")
    [workspace] = records(sim, "langsmith-workspace")
    assert workspace.protect
    # Keys stay unprotected: rotation replaces them.
    assert not any(r.protect for r in records(sim, "langsmith-service-key"))
    rotated = edit(TEXT, "generation: 1", "generation: 2")
    keys = records(simulated_text(rotated, "platform-us"), "langsmith-service-key")
    assert all(
        k.inputs["generation"] == 2 and k.inputs["description"].endswith("generation 2")
        for k in keys
    )


def test_diff_reports_rotation_as_its_own_kind_and_removal_as_a_stateful_loss():
    base = parse_topology(TEXT).model
    rotated = parse_topology(edit(TEXT, "generation: 1", "generation: 2")).model
    diff = diff_topologies(base, rotated)
    assert diff.stateful_losses == []  # the README's one-PR rotation passes its own gate
    us = diff.stacks["platform-us"]
    assert sorted(c.name for c in us.of("rotated")) == [
        "workspace-team-c-key-agent-server-c-search",
        "workspace-team-c-key-listener-c-prod",
    ]
    # What holds each key changes with it: the Secrets, the registration, both releases.
    assert sorted((c.type, c.name) for c in us.of("changed")) == [
        ("kubernetes:core/v1:Secret", "c-prod-api-key"),
        ("kubernetes:core/v1:Secret", "c-search-keys"),
        ("kubernetes:helm.sh/v3:Release", "c-prod-chart"),
        ("kubernetes:helm.sh/v3:Release", "c-search-chart"),
        ("langsmith/Registration", "c-prod-registration"),
    ]
    removed = edit(
        TEXT,
        "  c-eu:\n    workspace: team-c\n    cluster: eu-west\n    namespaces: [team-c]\n",
        "",
    )
    removed = edit(
        removed,
        "    handle: team-c\n    owner: platform-us",
        "    handle: team-c\n    owner: platform-eu",
    )
    diff = diff_topologies(base, parse_topology(removed).model)
    losses = [what for _, what in diff.stateful_losses]
    assert "removed langsmith/WorkspaceRecord workspace-team-c-record" in losses
