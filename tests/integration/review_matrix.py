"""`dataplane diff` beside the real engine's `pulumi preview --json`, resource for resource.

The preview decides: for a change from the stack's current topology to `head`, every URN the
engine would create, update, replace or delete must be the URN the review lists under the same
kind (a rotated key is a replacement to the engine; a rename is `same` unless it also changes).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ENGINE_KIND = {
    "create": "create",
    "update": "update",
    "replace": "replace",
    "create-replacement": "replace",
    "delete-replaced": "replace",
    "delete": "delete",
}
DIFF_KIND = {
    "added": "create",
    "changed": "update",
    "replaced": "replace",
    "rotated": "replace",
    "removed": "delete",
}


def _ours(urn: str) -> bool:
    kind = urn.split("::")[2]
    return not kind.startswith(("pulumi:pulumi:Stack", "pulumi:providers:"))


REASONS: dict[str, Any] = {}  # why the engine replaces, for a failure's message


def engine_ops(preview: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    REASONS.clear()
    for step in preview["steps"]:
        if step.get("op") == "replace":
            REASONS[step["urn"].rsplit("::", 1)[-1]] = {
                "replaceReasons": step.get("replaceReasons"),
                "diffReasons": step.get("diffReasons"),
            }
        kind = ENGINE_KIND.get(step.get("op", ""))
        if kind and _ours(step["urn"]):
            out.setdefault(kind, set()).add(step["urn"])
    return out


def diff_ops(diff: dict[str, Any], stack: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for listed, kind in DIFF_KIND.items():
        for change in diff["stacks"][stack].get(listed, []):
            if change["type"] != "pulumi:config":
                out.setdefault(kind, set()).add(change["urn"])
    return out


def review(base: str, head: str, where: Path) -> dict[str, Any]:
    (where / "base.yaml").write_text(base)
    (where / "head.yaml").write_text(head)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "langsmith_dataplane.cli",
            "diff",
            "--format",
            "json",
            str(where / "base.yaml"),
            str(where / "head.yaml"),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def compare(project: Any, stack: str, base: str, head: str, where: Path) -> tuple[dict, dict]:
    """(engine, review) ops for `base -> head`; the project is left at `base`."""
    project.write_topology(head)
    try:
        preview = project.preview_json()
    finally:
        project.write_topology(base)
    return engine_ops(preview), diff_ops(review(base, head, where), stack)


GIT = ["git", "-c", "user.email=review@example.com", "-c", "user.name=review"]
REVIEW = [sys.executable, "-m", "langsmith_dataplane.cli", "diff", "--format", "json"]


def compare_config(project: Any, stack: str, key: str, old: str, new: str) -> tuple[dict, dict]:
    """(engine, review) ops for a stack config change `key: old -> new`, the review as CI runs
    it (`dataplane diff --git HEAD`, in the project made a repository at `old`); the project is
    left at `old`."""
    root = project.root
    if not (root / ".git").is_dir():
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run([*GIT, "add", "topology.yaml", "stacks", "Pulumi.yaml"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base", "--allow-empty"], cwd=root, check=True)
    project.config(key, new)
    try:
        preview = project.preview_json()
        done = subprocess.run(
            [*REVIEW, "--git", "HEAD", "topology.yaml"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
    finally:
        project.config(key, old)
    return engine_ops(preview), diff_ops(json.loads(done.stdout), stack)


PROGRAM = ("components", "langsmith_dataplane", "pyproject.toml", "requirements.lock")
PROJECT = ("Pulumi.yaml", "__main__.py", "topology.yaml", "stacks")


def compare_code(
    project: Any, stack: str, program: Path, where: Path, old: str, new: str, file: str
) -> tuple[dict, dict]:
    """(engine, review) ops for a change of the program itself: `old -> new` in `file`, in a
    repository holding the program (from `program`) and the project (from `project.root`),
    committed at `old`. The engine previews the changed work tree (first on the Python path),
    and the review runs from it as CI does (`diff --git HEAD`: HEAD planned with HEAD's
    code). The project is left as it was."""
    import shutil

    repo = where / "repo"
    repo.mkdir()
    for name, source in [(n, program) for n in PROGRAM] + [(n, project.root) for n in PROJECT]:
        if (source / name).is_dir():
            shutil.copytree(
                source / name, repo / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source / name, repo / name)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run([*GIT, "add", "."], cwd=repo, check=True)
    subprocess.run([*GIT, "commit", "-qm", "base"], cwd=repo, check=True)
    source = repo / file
    text = source.read_text()
    assert text.count(old) == 1, f"{old!r} is not once in {file}"
    source.write_text(text.replace(old, new))
    env = {**project.env, "PYTHONPATH": str(repo)}
    root, project_env = project.root, project.env
    project.root, project.env = repo, env
    try:
        preview = project.preview_json()
    finally:
        project.root, project.env = root, project_env
    done = subprocess.run(
        [*REVIEW, "--git", "HEAD", "topology.yaml"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    review_json = json.loads(done.stdout)
    assert any("the program changed" in note for note in review_json["notes"]), review_json
    return engine_ops(preview), diff_ops(review_json, stack)


def short(ops: dict[str, set[str]]) -> dict[str, list[str]]:
    """Readable in a failure: each URN by its type and name."""
    return {
        kind: sorted(f"{u.split('::')[2].rsplit('$', 1)[-1]}::{u.split('::')[3]}" for u in urns)
        for kind, urns in sorted(ops.items())
    }
