"""The base side of `dataplane diff --git REF`: the topology, the stack config and the program
as they were at REF.

A stack is affected when anything it declares differs, and what it declares depends on the code
too (a Redis image bump in `versions.py`, a component change). So when the program differs
between REF and the work tree, REF's topology is planned by REF's own code: `git archive` of REF
into a temporary directory, simulated in a subprocess with that directory first on the import
path, by this interpreter when REF's lock file pins the same packages, else by a virtualenv
built from REF's lock file and cached by its hash. Every git argument is a resolved commit or a
fixed path, never a user string that git could read as an option.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langsmith_dataplane.diagnostics import TopologyError, clean
from langsmith_dataplane.review.stack_checks import StackConfig
from langsmith_dataplane.simulation import UNKNOWN, RecordedResource, Secret
from langsmith_dataplane.topology.loader import load_yaml

# What the program is made of: a change to any of these can change what a stack declares.
PROGRAM_PATHS = (
    "__main__.py",
    "components",
    "langsmith_dataplane",
    "pyproject.toml",
    "requirements.lock",
    "Pulumi.yaml",
)
NULL_COMMIT = re.compile(r"0{40}|0{64}")  # GitHub's `before` on the first push of a branch
LOCK_FILE = "requirements.lock"
RUNNER = Path(__file__).with_name("revision_runner.py")
SNAPSHOT_TIMEOUT = 1800


class GitError(Exception):
    """REF cannot be read (one line, names the ref and what git said)."""


def _git(*args: str, cwd: Path) -> bytes:
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=True, timeout=300
        ).stdout
    except subprocess.CalledProcessError as exc:
        said = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(clean(said[-1] if said else f"git {args[0]} failed")) from None


@dataclass(frozen=True)
class BaseRevision:
    """REF resolved: the repository's top, the commit (None: there is no base revision), and
    the topology file's path inside the repository."""

    ref: str
    top: Path
    commit: str | None
    topology: str

    @property
    def display(self) -> str:
        return f"{self.ref}:{self.topology}"

    def read(self, path: str) -> str | None:
        """A file's text at the commit (None when it did not exist there)."""
        if self.commit is None:
            return None
        try:
            data = _git("cat-file", "blob", f"{self.commit}:{path}", cwd=self.top)
        except GitError:
            return None
        return data.decode("utf-8", "replace")

    def topology_text(self) -> str:
        text = self.read(self.topology)
        if text is None:
            raise GitError(f"{self.topology} does not exist at {clean(self.ref)}")
        return text

    def program_changed(self) -> bool:
        """Does the program in the work tree differ from the commit's (tracked or new files)?"""
        if self.commit is None:
            return True
        if not holds_program(self.top):
            return False
        changed = subprocess.run(
            ["git", "diff", "--quiet", self.commit, "--", *PROGRAM_PATHS],
            cwd=self.top,
            capture_output=True,
            timeout=300,
        )
        if changed.returncode not in (0, 1):
            raise GitError(clean(changed.stderr.decode("utf-8", "replace").strip()))
        if changed.returncode == 1:
            return True
        untracked = _git(
            "ls-files", "--others", "--exclude-standard", "--", *PROGRAM_PATHS, cwd=self.top
        )
        return any(line.endswith(b".py") for line in untracked.splitlines())

    def stack_configs(self) -> dict[str, dict[str, Any]]:
        """`stacks/Pulumi.<stack>.yaml` at the commit, parsed (config values only)."""
        if self.commit is None:
            return {}
        directory = stack_config_dir(self.read("Pulumi.yaml"))
        tree = self.commit if directory == "." else f"{self.commit}:{directory}"
        try:
            listing = _git("ls-tree", "--name-only", tree, cwd=self.top)
        except GitError:
            return {}  # no stack config directory at that revision
        out = {}
        for name in listing.decode("utf-8", "replace").splitlines():
            stack = _stack_of_config_file(name)
            if stack is not None:
                path = name if directory == "." else f"{directory}/{name}"
                out[stack] = _config_values(self.read(path), f"{self.display}:{path}")
        return out


def _bounded(text: str | None, name: str) -> Any:
    """YAML the program reads, with the topology's limits (depth, aliases, keys) and its
    file:line:col errors: an aliased stack config cannot make a review slow."""
    if not text or not text.strip():
        return None  # no such file, or an empty one
    try:
        return load_yaml(text, name).data
    except TopologyError as exc:
        raise GitError(exc.render()) from None


def stack_config_dir(pulumi_yaml: str | None) -> str:
    """Pulumi.yaml's `stackConfigDir` (default: the project directory)."""
    project = _bounded(pulumi_yaml, "Pulumi.yaml") or {}
    directory = project.get("stackConfigDir") if isinstance(project, dict) else None
    return str(directory).strip("/") if directory else "."


def _stack_of_config_file(name: str) -> str | None:
    match = re.fullmatch(r"Pulumi\.(.+)\.ya?ml", name)
    return match.group(1) if match else None


def _config_values(text: str | None, name: str) -> dict[str, Any]:
    document = _bounded(text, name) or {}
    config = document.get("config") if isinstance(document, dict) else None
    return dict(config) if isinstance(config, dict) else {}


def work_tree_stack_files(top: Path) -> list[StackConfig]:
    """Every `Pulumi.<stack>.yaml` of the work tree's stack config directory, with its text."""
    pulumi_yaml = top / "Pulumi.yaml"
    directory = top / stack_config_dir(
        pulumi_yaml.read_text(encoding="utf-8") if pulumi_yaml.is_file() else None
    )
    out = []
    for path in sorted(directory.glob("Pulumi.*.y*ml")) if directory.is_dir() else []:
        stack = _stack_of_config_file(path.name)
        if stack is not None:
            shown = str(path.relative_to(top))
            text = path.read_text(encoding="utf-8")
            out.append(StackConfig(stack, shown, text, _config_values(text, shown)))
    return out


def work_tree_stack_configs(top: Path) -> dict[str, dict[str, Any]]:
    return {config.stack: config.values for config in work_tree_stack_files(top)}


def resolve(ref: str, head_path: str) -> BaseRevision:
    """REF and the topology file's place in its repository; a null commit (GitHub's `before`
    on a branch's first push) means there is no base revision."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise GitError(f"--git {clean(ref)!r} is not a git ref")
    if shutil.which("git") is None:
        raise GitError("--git needs the git command on the PATH")
    target = Path(head_path).resolve()
    if not target.parent.is_dir():
        raise GitError(f"cannot read {clean(head_path)}: no such directory")
    try:
        top = Path(_git("rev-parse", "--show-toplevel", cwd=target.parent).decode().strip())
        relative = target.relative_to(top.resolve()).as_posix()
    except (GitError, ValueError):
        raise GitError(f"{clean(head_path)} is not inside a git repository") from None
    if NULL_COMMIT.fullmatch(ref):
        return BaseRevision(ref, top, None, relative)
    try:
        commit = _git("rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}", cwd=top)
    except GitError as exc:
        raise GitError(f"cannot read {clean(head_path)} at git ref {clean(ref)}: {exc}") from None
    return BaseRevision(ref, top, commit.decode().strip(), relative)


@contextmanager
def checkout(base: BaseRevision) -> Iterator[Path]:
    """The commit's files in a temporary directory (`git archive`, no work tree, no hooks)."""
    assert base.commit is not None
    with tempfile.TemporaryDirectory(prefix="dataplane-base-") as scratch:
        archive = Path(scratch) / "base.tar"
        with archive.open("wb") as out:
            subprocess.run(
                ["git", "archive", "--format=tar", base.commit, "--", *_present(base)],
                cwd=base.top,
                stdout=out,
                stderr=subprocess.PIPE,
                check=True,
                timeout=300,
            )
        tree = Path(scratch) / "tree"
        tree.mkdir()
        with tarfile.open(archive) as tar:
            tar.extractall(tree, filter="data")  # no absolute paths, links out, devices
        yield tree


def _present(base: BaseRevision) -> list[str]:
    """The program paths that exist at the commit (`git archive` fails on a missing one)."""
    listing = _git("ls-tree", "--name-only", base.commit or "", cwd=base.top)
    names = set(listing.decode("utf-8", "replace").splitlines())
    return [p for p in PROGRAM_PATHS if p in names]


def _lock_key(text: str | None) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines()]
    pinned = sorted(ln for ln in lines if ln and not ln.startswith("#"))
    return hashlib.sha256("\n".join(pinned).encode()).hexdigest()[:16]


def venv_cache() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "langsmith-dataplane" / "diff-venvs"


def interpreter_for(base_lock: str | None, head_lock: str | None) -> Path:
    """This interpreter when REF pins the same packages; else a virtualenv built once from
    REF's lock file, cached under ~/.cache by the lock's hash."""
    if _lock_key(base_lock) == _lock_key(head_lock):
        return Path(sys.executable)
    venv = venv_cache() / _lock_key(base_lock)
    python = venv / "bin" / "python"
    if (venv / ".installed").is_file() and python.exists():
        return python
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".lock", delete=False) as lock:
        lock.write(base_lock or "")
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-r", lock.name],
            check=True,
            capture_output=True,
            timeout=1800,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(venv, ignore_errors=True)
        stderr = getattr(exc, "stderr", b"") or b""
        said = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [str(exc)]
        raise GitError(
            f"cannot install the packages the base revision pins: {clean(said[0])}"
        ) from None
    finally:
        os.unlink(lock.name)
    (venv / ".installed").touch()
    return python


def simulate_base(
    base: BaseRevision, text: str, stacks: Sequence[str]
) -> dict[str, list[RecordedResource]]:
    """Every named stack of REF's topology (`text`), simulated by REF's own program."""
    python = interpreter_for(base.read(LOCK_FILE), _read_work_tree(base.top / LOCK_FILE))
    with checkout(base) as tree:
        return _simulate_in(tree, python, text, base.display, stacks)


def holds_program(top: Path) -> bool:
    """Does the repository hold the program too? (A topology may live in a repository of
    its own, planned by the installed `dataplane`: then both sides use this process's code.)"""
    return (top / "langsmith_dataplane").is_dir()


def runs_from(top: Path) -> bool:
    """Is this process's program the one in the work tree at `top`?"""
    here = Path(__file__).resolve().parents[2]
    return here == top.resolve()


def simulate_work_tree(
    top: Path, text: str, name: str, stacks: Sequence[str]
) -> dict[str, list[RecordedResource]]:
    """The head side planned by the work tree's program (when `dataplane` runs from another
    checkout than the topology's repository)."""
    return _simulate_in(top, Path(sys.executable), text, name, stacks)


def _simulate_in(
    tree: Path, python: Path, text: str, name: str, stacks: Sequence[str]
) -> dict[str, list[RecordedResource]]:
    request = json.dumps({"topology": text, "name": name, "stacks": list(stacks)})
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONHOME", None)
    done = subprocess.run(
        [str(python), "-c", RUNNER.read_text(encoding="utf-8"), str(tree)],
        input=request,
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=SNAPSHOT_TIMEOUT,
    )
    last = (done.stdout.strip().splitlines() or ["{}"])[-1]  # the program may print first
    try:
        answer = json.loads(last)
    except json.JSONDecodeError:
        answer = {}
    if done.returncode != 0 or "stacks" not in answer:
        reason = answer.get("error") or (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise GitError(f"cannot plan {clean(name)} with its own code: {clean(reason)}")
    return {
        stack: [_resource(r) for r in resources] for stack, resources in answer["stacks"].items()
    }


def _read_work_tree(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$secret"}:
            return Secret(_decode(value["$secret"]))
        if set(value) == {"$unknown"}:
            return UNKNOWN
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _resource(record: dict[str, Any]) -> RecordedResource:
    return RecordedResource(**{**record, "inputs": _decode(record["inputs"])})
