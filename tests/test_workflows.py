"""The example GitHub workflows parse and call commands that exist with options that exist."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml

from langsmith_dataplane.cli import command_line
from tests.helpers import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yaml"))


def dataplane_calls(workflow: dict) -> list[list[str]]:
    calls = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):  # a job that `uses:` a workflow has none
            script = step.get("run", "").replace("\\\n", " ")
            for line in script.splitlines():
                if ".venv/bin/dataplane" in line:
                    command = line.split(".venv/bin/dataplane", 1)[1]
                    command = re.split(r"[|>)]", command)[0]
                    calls.append(
                        shlex.split(
                            command.replace("${{ github.base_ref }}", "main").replace(
                                "${{ github.event.before }}", "HEAD~1"
                            )
                        )
                    )
    return calls


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_commands_parse(path):
    workflow = yaml.safe_load(path.read_text())
    calls = dataplane_calls(workflow)
    called = [job["uses"] for job in workflow["jobs"].values() if "uses" in job]
    triggers = workflow.get(True) or workflow.get("on") or {}  # YAML 1.1 reads `on` as true
    assert calls or called or "workflow_call" in triggers  # a called one may only run pulumi
    for uses in called:
        assert (REPO / uses).is_file(), uses
    parser = command_line()
    for argv in calls:
        args = parser.parse_args(argv)  # raises SystemExit(2) on an unknown option
        assert args.handler


def test_review_workflow_covers_validate_diff_and_plan():
    workflow = yaml.safe_load((REPO / ".github/workflows/topology-review.yaml").read_text())
    commands = [argv[0] for argv in dataplane_calls(workflow)]
    assert commands == ["topologies", "validate", "diff", "plan"]


@pytest.mark.parametrize("name", ["topology-review.yaml", "topology-deploy.yaml"])
def test_every_file_the_program_or_its_install_reads_triggers_the_workflow(name):
    """A stack's own topology file, the policy pack and the install files included."""
    import fnmatch

    workflow = yaml.safe_load((REPO / ".github/workflows" / name).read_text())
    triggers = workflow.get(True) or workflow.get("on")
    event = triggers.get("pull_request") or triggers.get("push")
    patterns = event["paths"]

    def covered(path: str) -> bool:  # GitHub's `**` matches across directories
        return any(fnmatch.fnmatch(path, p.replace("**", "*")) for p in patterns)

    for path in (
        "topology.yaml",
        "regions/eu.yaml",
        "stacks/Pulumi.dev.yaml",
        "policy/__main__.py",
        "policy/PulumiPolicy.yaml",
        "components/listener.py",
        "langsmith_dataplane/versions.py",
        "requirements.lock",
        "requirements.txt",
        "pyproject.toml",
        "Makefile",
        "Pulumi.yaml",
        "__main__.py",
    ):
        assert covered(path), f"{name}: a change of {path} runs no review or deploy"
