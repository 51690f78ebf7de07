"""`dataplane diff --format waves`: a created workspace's owner stack runs before the stacks that
deploy into it, and after them once the workspace leaves the topology."""

from __future__ import annotations

import json

import pytest

from langsmith_dataplane.cli import main
from langsmith_dataplane.review.waves import StackCycleError, deploy_waves
from langsmith_dataplane.topology import parse_topology
from tests.helpers import REPO

EXAMPLE = (REPO / "examples" / "new-workspace.yaml").read_text()


def model(text: str):
    return parse_topology(text).model


def test_the_owner_runs_before_the_stacks_that_find_its_workspace():
    head = model(EXAMPLE)
    assert deploy_waves(None, head, sorted(head.stacks)) == [["platform-us"], ["platform-eu"]]


def test_stacks_unrelated_to_each_other_share_one_wave():
    head = model(EXAMPLE)
    assert deploy_waves(None, head, ["platform-eu"]) == [["platform-eu"]]


def test_after_the_workspace_leaves_the_topology_its_users_go_first():
    base = model(EXAMPLE)
    head = base.model_copy(update={"workspaces": {}})
    assert deploy_waves(base, head, ["platform-us", "platform-eu"]) == [
        ["platform-eu"],
        ["platform-us"],
    ]


def test_a_cycle_is_a_clear_error(monkeypatch):
    """Two stacks that each own a workspace the other uses cannot both go first."""
    from langsmith_dataplane.review import waves

    edges = {("platform-us", "platform-eu"), ("platform-eu", "platform-us")}
    monkeypatch.setattr(waves, "_edges", lambda *_: edges)
    with pytest.raises(StackCycleError, match=r"stacks platform-eu, platform-us each need"):
        deploy_waves(None, model(EXAMPLE), ["platform-us", "platform-eu"])


def test_the_cli_prints_the_waves(capsys, tmp_path):
    base, head = tmp_path / "base.yaml", tmp_path / "head.yaml"
    base.write_text(EXAMPLE.replace("generation: 1", "generation: 2"))
    head.write_text(EXAMPLE)
    assert main(["diff", str(base), str(head), "--format", "waves"]) == 0
    assert json.loads(capsys.readouterr().out) == [["platform-us"], ["platform-eu"]]
