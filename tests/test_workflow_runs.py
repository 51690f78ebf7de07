"""The two example workflows, run as GitHub runs them, in a temporary copy of the project.

Each `run:` step runs in bash (`--noprofile --norc -eo pipefail`, GitHub's default) with
`${{ ... }}` replaced from the event, the secrets and earlier steps' `$GITHUB_OUTPUT`, and each
`if:` evaluated; `uses:` steps are GitHub's actions and are not run. `make setup` is the one
substitution: the copy uses this checkout's .venv instead of building its own. Covered: a pull
request that changes only code, a merge that changes only a stack's config, a branch's first
push (`before` all zeros), and bases that cannot be read. No path may print a traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO

PROJECT_FILES = (
    "__main__.py",
    "examples",
    "components",
    "langsmith_dataplane",
    "Pulumi.yaml",
    "pyproject.toml",
    "requirements.lock",
    "stacks",
    "topology.yaml",
    "Makefile",
    ".github",
)
NULL = "0" * 40
GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        [*GIT, *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A repository holding the project (main at `base`), with this checkout's .venv."""
    repo = tmp_path_factory.mktemp("workflow") / "repo"
    repo.mkdir()
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, repo / name)
    (repo / ".gitignore").write_text(".venv\n__pycache__/\n")
    (repo / ".venv").symlink_to(REPO / ".venv")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "tag", "base")
    return repo


@dataclass
class Step:
    name: str
    ran: bool
    code: int = 0
    out: str = ""


@dataclass
class JobRun:
    steps: list[Step] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)
    step_outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def failed(self) -> Step | None:
        return next((s for s in self.steps if s.ran and s.code != 0), None)

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)


EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


def lookup(path: str, context: dict[str, Any]) -> Any:
    if path.startswith("secrets."):  # an unset secret is the empty string on GitHub
        return context["secrets"].get(path.removeprefix("secrets."), "")
    if path.startswith("steps."):  # so is an output a step did not set (or did not run)
        _, step, _, name = path.split(".")
        return context["steps"].get(step, {}).get("outputs", {}).get(name, "")
    value: Any = context
    for part in path.split("."):
        assert isinstance(value, dict), f"workflow uses unknown {path}"
        assert part in value, f"workflow uses unknown {path}"
        value = value[part]
    return value


def condition(text: str, context: dict[str, Any]) -> bool:
    """`a == 'x'`, `a != 'x'`, joined by `&&`: every form the example workflows use."""
    results = []
    for clause in text.split("&&"):
        match = re.fullmatch(r"\s*([\w.-]+)\s*(==|!=)\s*'([^']*)'\s*", clause)
        assert match, f"unsupported if: {text}"
        left = str(lookup(match.group(1), context))
        results.append((left == match.group(3)) == (match.group(2) == "=="))
    return all(results)


def substitute(text: str, context: dict[str, Any]) -> str:
    return EXPRESSION.sub(lambda m: str(lookup(m.group(1), context)), text)


def run_job(job: dict, repo: Path, context: dict[str, Any], home: Path) -> JobRun:
    run = JobRun()
    outputs_file = repo.parent / "github_output"
    summary = repo.parent / "step_summary"
    summary.write_text("")
    for index, step in enumerate(job["steps"]):
        name = step.get("name") or step.get("uses") or f"step {index}"
        context = {**context, "steps": run.step_outputs}
        if "run" not in step:
            run.steps.append(Step(name, ran=False))
            continue
        if "if" in step and not condition(step["if"], context):
            run.steps.append(Step(name, ran=False))
            continue
        if run.failed is not None:
            run.steps.append(Step(name, ran=False))  # GitHub stops at the first failure
            continue
        script = substitute(step["run"], context)
        if script.strip() == "make setup":  # the one substitution (module docstring)
            assert (repo / ".venv" / "bin" / "dataplane").exists()
            run.steps.append(Step(name, ran=True))
            continue
        outputs_file.write_text("")
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(home),
            "GITHUB_OUTPUT": str(outputs_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            **{k: substitute(str(v), context) for k, v in (step.get("env") or {}).items()},
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        output = done.stdout + done.stderr
        assert "Traceback" not in output, output
        run.steps.append(Step(name, ran=True, code=done.returncode, out=output))
        if "id" in step:
            values = dict(
                line.split("=", 1) for line in outputs_file.read_text().splitlines() if "=" in line
            )
            run.step_outputs[step["id"]] = {"outputs": values}
    context = {**context, "steps": run.step_outputs}
    run.outputs = {k: substitute(v, context) for k, v in (job.get("outputs") or {}).items()}
    return run


def workflow(name: str) -> dict:
    return yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())


def review(repo: Path, base_ref: str, home: Path) -> JobRun:
    context = {"github": {"base_ref": base_ref, "event": {}}, "secrets": {}}
    return run_job(workflow("topology-review.yaml")["jobs"]["review"], repo, context, home)


def deploy(repo: Path, before: str, home: Path, secrets: dict[str, str]) -> list[JobRun]:
    jobs = workflow("topology-deploy.yaml")["jobs"]
    context: dict[str, Any] = {"github": {"event": {"before": before}}, "secrets": secrets}
    affected = run_job(jobs["affected"], repo, context, home)
    runs = [affected]
    if affected.failed:
        return runs
    needs = {"affected": {"outputs": affected.outputs}}
    for wave in ("up", "up-second", "up-third"):  # each calls topology-up.yaml with its stacks
        job = jobs[wave]
        if not condition(job["if"], {"needs": needs}):
            continue
        called = yaml.safe_load((REPO / job["uses"]).read_text())["jobs"]["up"]
        stacks = substitute(job["with"]["stacks"], {"needs": needs})
        for stack in json.loads(stacks):
            matrix_context = {**context, "inputs": {"stacks": stacks}, "matrix": {"stack": stack}}
            runs.append(run_job(called, repo, matrix_context, home))
    return runs


@pytest.fixture
def branch(project):
    """A branch off `base` for one scenario; the work tree is back at `base` afterwards."""
    git(project, "checkout", "-q", "-B", "scenario", "base")
    yield project
    git(project, "checkout", "-q", "-f", "main")
    git(project, "clean", "-qfd")


def commit(repo: Path, path: str, old: str, new: str) -> str:
    target = repo / path
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new))
    git(repo, "commit", "-qam", f"change {path}")
    return git(repo, "rev-parse", "HEAD")


def test_a_pull_request_that_changes_only_code_is_reviewed_as_a_change(branch, tmp_path):
    commit(branch, "langsmith_dataplane/versions.py", "redis:7.4.2", "redis:7.4.3")
    git(branch, "update-ref", "refs/remotes/origin/main", "base")
    run = review(branch, "main", tmp_path)
    assert run.failed is None, run.failed
    assert run.step_outputs["diff"]["outputs"]["status"] == "0"
    comment = (branch / "diff.md").read_text()
    assert "the program changed since origin/main" in comment
    assert "| `dev` | changed |" in comment
    assert "| `single` | changed |" in comment
    assert "redis-statefulset" in comment
    assert not run.step("Fail on other diff errors").ran


def test_a_pull_request_whose_base_cannot_be_read_fails_with_a_message(branch, tmp_path):
    run = review(branch, "no-such-branch", tmp_path)  # origin/no-such-branch was never fetched
    failed = run.failed
    assert failed is not None
    assert failed.name == "Fail on other diff errors"
    assert "::error::dataplane diff failed (exit 2)" in failed.out
    comment = (branch / "diff.md").read_text()
    assert "cannot read topology.yaml at git ref origin/no-such-branch" in comment


def test_a_merge_that_changes_a_stack_config_deploys_that_stack(branch, tmp_path):
    commit(branch, "stacks/Pulumi.prod-alpha.yaml", "us-east-1", "us-east-2")
    affected, *ups = deploy(branch, git(branch, "rev-parse", "base"), tmp_path, {})
    assert affected.failed is None
    assert json.loads(affected.outputs["stacks"]) == ["prod-alpha"]
    assert len(ups) == 1
    assert ups[0].failed is None
    assert (
        "no KUBECONFIG secret"
        in ups[0].step("Kubeconfig for `existing` clusters (from the KUBECONFIG secret)").out
    )


def test_a_merge_of_code_deploys_the_stacks_it_changes(branch, tmp_path):
    before = git(branch, "rev-parse", "base")
    commit(branch, "langsmith_dataplane/versions.py", "redis:7.4.2", "redis:7.4.3")
    affected, *_ = deploy(branch, before, tmp_path, {})
    assert json.loads(affected.outputs["stacks"]) == ["dev", "single"]


def test_the_first_push_of_a_branch_deploys_every_stack(branch, tmp_path):
    kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []"
    affected, *ups = deploy(branch, NULL, tmp_path, {"KUBECONFIG": kubeconfig})
    assert affected.failed is None
    stacks = json.loads(affected.outputs["stacks"])
    assert stacks == ["dev", "prod-alpha", "prod-beta", "single"]
    assert len(ups) == 4
    assert all(up.failed is None for up in ups)
    written = tmp_path / ".kube" / "config"
    assert written.read_text().strip() == kubeconfig
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_an_unknown_before_fails_with_a_message(branch, tmp_path):
    affected, *ups = deploy(branch, "1" * 40, tmp_path, {})  # e.g. a force-push's old head
    failed = affected.failed
    assert failed is not None
    assert not ups
    assert "::error::cannot tell which stacks of topology.yaml changed since 1111" in failed.out
    assert "dataplane: error: cannot read topology.yaml at git ref 1111" in failed.out


def test_a_stack_reading_another_topology_file_is_reviewed_and_deployed(branch, tmp_path):
    """`langsmith-dataplane:topology` names regions/eu.yaml: its stack gets a review and a
    deploy like any other, and only its own."""
    (branch / "regions").mkdir()
    shutil.copy2(branch / "examples/new-workspace.yaml", branch / "regions/eu.yaml")
    (branch / "stacks/Pulumi.platform-eu.yaml").write_text(
        "config:\n  langsmith-dataplane:topology: regions/eu.yaml\n"
    )
    git(branch, "add", "-A")
    git(branch, "commit", "-qm", "a stack of its own topology")
    git(branch, "update-ref", "refs/remotes/origin/main", "HEAD")
    before = git(branch, "rev-parse", "HEAD")
    commit(branch, "regions/eu.yaml", "namespaces: [team-c]\n", "namespaces: [team-c, more]\n")
    run = review(branch, "main", tmp_path)
    assert run.failed is None, run.failed
    comment = (branch / "diff.md").read_text()
    assert "| `platform-eu` | changed |" in comment
    affected, *ups = deploy(branch, before, tmp_path, {})
    assert affected.failed is None, affected.failed
    # platform-us is declared there too, but no stack file reads regions/eu.yaml for it.
    assert json.loads(affected.outputs["stacks"]) == ["platform-eu"]
    assert len(ups) == 1
