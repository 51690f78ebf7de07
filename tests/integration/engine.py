"""Drive the real Pulumi CLI against this project, offline, as a user would.

A scratch project directory holds the project's own `Pulumi.yaml` and `__main__.py` (with the
virtualenv pointed at the interpreter running the tests), a `topology.yaml` the test writes, and
`stacks/`. State goes to a local file backend with a passphrase secrets provider; `PULUMI_HOME`
is per run, so no plugin cache or credentials leak in. The engine's binaries come from
`LANGSMITH_PULUMI_BIN` (what `tools/engine/build.sh pulumi` prints; the Makefile sets it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers import REPO

PULUMI_SETTING = "LANGSMITH_PULUMI_BIN"
PASSPHRASE = "integration-passphrase-not-secret"


def pulumi_bin_dir() -> Path:
    path = os.environ.get(PULUMI_SETTING)
    if not path or not (Path(path) / "pulumi").is_file():
        raise RuntimeError(
            f"{PULUMI_SETTING} does not name a directory with the pulumi CLI: run "
            "`make test-integration` (it builds the engine with tools/engine/build.sh pulumi)"
        )
    return Path(path)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        return self.out + self.err


class PulumiProject:
    """The project in a scratch directory, and the `pulumi` commands run on one stack."""

    def __init__(self, root: Path, *, stack: str, kubeconfig: Path, ca_file: Path) -> None:
        self.root = root
        self.stack = stack
        bin_dir = pulumi_bin_dir()
        (root / "stacks").mkdir(parents=True, exist_ok=True)
        project = (REPO / "Pulumi.yaml").read_text()
        venv = Path(sys.prefix)
        assert "virtualenv: .venv" in project
        (root / "Pulumi.yaml").write_text(project.replace(".venv", str(venv)))
        (root / "__main__.py").write_text((REPO / "__main__.py").read_text())
        self.env = {
            **os.environ,
            "PATH": f"{bin_dir}{os.pathsep}{venv / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "PULUMI_HOME": str(root / ".pulumi-home"),
            "PULUMI_BACKEND_URL": f"file://{root / '.state'}",
            "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE,
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            "PULUMI_SKIP_CONFIRMATIONS": "true",
            "KUBECONFIG": str(kubeconfig),
            # The fake control plane's certificate: the dynamic provider's urllib trusts it.
            "SSL_CERT_FILE": str(ca_file),
            "PYTHONUNBUFFERED": "1",
        }
        (root / ".state").mkdir(exist_ok=True)
        self.log: list[str] = []

    def write_topology(self, text: str) -> None:
        (self.root / "topology.yaml").write_text(text)

    def run(
        self, *args: str, check: bool = True, timeout: float = 900, stdin: str | None = None
    ) -> Result:
        argv = ["pulumi", *args, "--non-interactive", "--color", "never"]
        if args[:2] != ("stack", "init"):
            argv += ["--stack", self.stack]
        done = subprocess.run(
            argv,
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            input=stdin,
        )
        result = Result(done.returncode, done.stdout, done.stderr)
        self.log.append(f"$ {' '.join(argv)}\n{result.text}")
        if check and result.code != 0:
            raise AssertionError(f"pulumi {' '.join(args)} exited {result.code}:\n{result.text}")
        return result

    def start(self, *args: str) -> subprocess.Popen:
        """`pulumi <args>` in the background, in a session of its own: a test can signal the
        CLI and everything it started (language host, providers) as a terminal would."""
        argv = ["pulumi", *args, "--non-interactive", "--color", "never", "--stack", self.stack]
        log = open(self.root / f"background-{len(self.log)}.log", "w")  # noqa: SIM115
        self.log.append(f"$ {' '.join(argv)} (background, {log.name})")
        process = subprocess.Popen(
            argv,
            cwd=self.root,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        process.log_path = Path(log.name)  # type: ignore[attr-defined]
        return process

    def config(self, key: str, value: str, *, secret: bool = False) -> None:
        """Secrets go through standard input, as from the prompt: never on a command line."""
        if secret:
            self.run("config", "set", key, "--secret", stdin=value)
        else:
            self.run("config", "set", key, value, "--plaintext")

    def up(self, *extra: str, check: bool = True) -> Result:
        return self.run("up", "--yes", "--skip-preview", *extra, check=check)

    def preview_json(self, *extra: str) -> dict[str, Any]:
        result = self.run("preview", "--json", *extra)
        return json.loads(result.out)

    def export(self) -> dict[str, Any]:
        return json.loads(self.run("stack", "export").out)

    def outputs(self, *, secrets: bool = False) -> dict[str, Any]:
        flags = ["--show-secrets"] if secrets else []
        return json.loads(self.run("stack", "output", "--json", *flags).out)


def ready_project(
    root: Path,
    *,
    stack: str,
    kubeconfig: Path,
    ca_file: Path,
    topology: str,
    settings: dict[str, str] | None = None,
    secrets: dict[str, str] | None = None,
) -> PulumiProject:
    """A project with `topology`, its stack created, plain `settings` and `secrets` set."""
    project = PulumiProject(root, stack=stack, kubeconfig=kubeconfig, ca_file=ca_file)
    project.write_topology(topology)
    project.run("stack", "init", stack)
    for key, value in (settings or {}).items():
        project.config(key, value)
    for key, value in (secrets or {}).items():
        project.config(key, value, secret=True)
    return project


def keep_log(project: PulumiProject) -> None:
    """The commands a module ran and their output, beside its project, for a failed run."""
    (project.root / "engine.log").write_text("\n".join(project.log))


def step_ops(preview: dict[str, Any]) -> dict[str, list[str]]:
    """URNs by operation of a `pulumi preview --json` document ("same" steps omitted)."""
    ops: dict[str, list[str]] = {}
    for step in preview.get("steps", []):
        if step.get("op") != "same":
            ops.setdefault(step["op"], []).append(step["urn"])
    return ops


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: str) -> str:
    return _ANSI.sub("", text)
