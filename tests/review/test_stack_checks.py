"""`diff --git` runs the checks `pulumi up` makes of each stacks/Pulumi.<stack>.yaml: config
the merged code refuses is a failed review, naming file, line and key."""

from __future__ import annotations

import subprocess

import pytest

from langsmith_dataplane.cli import main
from langsmith_dataplane.review.stack_checks import StackConfig, same_file, stack_config_errors
from langsmith_dataplane.topology import parse_topology
from tests.helpers import REFERENCE_TEXT

GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]


def repo_with(tmp_path, configs: dict[str, str]):
    repo = tmp_path / "repo"
    (repo / "stacks").mkdir(parents=True)
    (repo / "topology.yaml").write_text(REFERENCE_TEXT)
    (repo / "Pulumi.yaml").write_text("name: p\nruntime: python\nstackConfigDir: stacks\n")
    for stack, text in configs.items():
        (repo / "stacks" / f"Pulumi.{stack}.yaml").write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*GIT, "add", "."], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base"], cwd=repo, check=True)
    return repo


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_an_upgrade_that_moved_a_setting_fails_the_review_at_its_line(capsys, tmp_path):
    """`No changes` in resources, but `pulumi up` would stop on the old key."""
    repo = repo_with(tmp_path, {"dev": "config:\n  langsmith:chartsDir: /opt/charts\n"})
    code, out, err = run(capsys, "diff", "--git", "HEAD", str(repo / "topology.yaml"))
    assert code == 1
    assert out == "no changes\n"
    assert "stacks/Pulumi.dev.yaml:2: error: stack dev sets langsmith:chartsDir" in err
    assert "pulumi config -s dev rm langsmith:chartsDir" in err
    assert "1 stack config error(s)" in err


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("langsmith-dataplane:revisionTimeout: 0", "revisionTimeout is 0: give the seconds"),
        ("langsmith-dataplane:revisionTimeout: soon", "revisionTimeout must be a whole number"),
        ("langsmith-dataplane:skipAwait: maybe", "skipAwait must be true or false"),
    ],
)
def test_values_the_program_or_pulumi_refuse(capsys, tmp_path, line, message):
    repo = repo_with(tmp_path, {"single": f"config:\n  {line}\n"})
    code, _, err = run(capsys, "diff", "--git", "HEAD", str(repo / "topology.yaml"))
    assert code == 1
    assert f"stacks/Pulumi.single.yaml:2: error: langsmith-dataplane:{message}" in err


def test_a_stack_file_without_its_stack_in_the_topology(capsys, tmp_path):
    repo = repo_with(tmp_path, {"staging": "config: {}\n"})
    code, _, err = run(capsys, "diff", "--git", "HEAD", str(repo / "topology.yaml"))
    assert code == 1
    assert "stacks/Pulumi.staging.yaml:1: error: stack 'staging' is not declared" in err


def test_good_configs_and_other_topologies_pass():
    head = parse_topology(REFERENCE_TEXT).model
    fine = StackConfig(
        "dev",
        "stacks/Pulumi.dev.yaml",
        "",
        {
            "langsmith-dataplane:revisionTimeout": "600",
            "langsmith-dataplane:skipAwait": True,
            "langsmith-dataplane:waitForRevisions": "false",
        },
    )
    elsewhere = StackConfig(
        "eu", "stacks/Pulumi.eu.yaml", "", {"langsmith-dataplane:topology": "eu/topology.yaml"}
    )
    assert stack_config_errors([fine, elsewhere], head, "topology.yaml") == []
    assert same_file("./topology.yaml", "topology.yaml")
    assert not same_file("eu/topology.yaml", "topology.yaml")
