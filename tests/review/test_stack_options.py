"""`diff --git` simulates each side with its own stack config: a setting that changes what the
program declares (`skipAwait`: the releases' and stores' waits) shows the resources it changes,
as the preview does (the engine's side: `tests/integration/test_workspace_engine.py`'s matrix,
"stack config")."""

from __future__ import annotations

import json
import subprocess

from langsmith_dataplane.review.stack_options import options_for
from langsmith_dataplane.wiring.options import ProgramOptions
from tests.review.test_stack_checks import GIT, repo_with, run


def test_the_options_are_what_up_would_build():
    assert options_for({}) == ProgramOptions()
    built = options_for(
        {
            "langsmith-dataplane:skipAwait": "true",
            "langsmith-dataplane:waitForRevisions": False,
            "langsmith-dataplane:revisionTimeout": "600",
        }
    )
    assert (built.skip_await, built.wait_for_revisions, built.revision_timeout) == (
        True,
        False,
        600.0,
    )
    # Refused values are the review's errors (`stack_checks`), the defaults here.
    refused = options_for({"langsmith-dataplane:revisionTimeout": "0"})
    assert refused.revision_timeout == ProgramOptions().revision_timeout


def test_a_skip_await_change_lists_every_release_it_changes(capsys, tmp_path):
    repo = repo_with(tmp_path, {"dev": "config: {}\n"})
    (repo / "stacks" / "Pulumi.dev.yaml").write_text(
        "config:\n  langsmith-dataplane:skipAwait: true\n"
    )
    code, out, _ = run(
        capsys, "diff", "--format", "json", "--git", "HEAD", str(repo / "topology.yaml")
    )
    assert code == 0
    dev = json.loads(out)["stacks"]["dev"]
    releases = {c["name"] for c in dev["changed"] if c["type"] == "kubernetes:helm.sh/v3:Release"}
    assert releases == {
        "a-dev-chart",
        "b-dev-chart",
        "dev-keda",
        "dev-metrics-server",
        "dev-envoy-gateway",
    }
    config = [c for c in dev["changed"] if c["type"] == "pulumi:config"]
    assert config[0]["paths"] == ["langsmith-dataplane:skipAwait"]
    assert json.loads(out)["stacks"]["prod-alpha"]["status"] == "unchanged"


def test_the_same_config_changes_nothing(capsys, tmp_path):
    repo = repo_with(tmp_path, {"dev": "config:\n  langsmith-dataplane:skipAwait: true\n"})
    subprocess.run([*GIT, "status"], cwd=repo, check=True, capture_output=True)
    code, out, _ = run(capsys, "diff", "--git", "HEAD", str(repo / "topology.yaml"))
    assert (code, out) == (0, "no changes\n")
