"""`tools/engine/build.sh pulumi` reuses a cached engine before it asks for the source: a clone
has no `../shared` beside it, and the README says a cached binary is reused."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "tools/engine/build.sh"
BINARIES = (
    "pulumi",
    "pulumi-language-python",
    "pulumi-language-python-exec",
    "pulumi-resource-pulumi-python",
    "pulumi-resource-kubernetes",
    "pulumi-resource-random",
)


def version() -> str:
    for line in (REPO / "tools/engine/versions.env").read_text().splitlines():
        if line.startswith("PULUMI_VERSION="):
            return line.split("=", 1)[1].strip().strip('"')
    raise AssertionError("no PULUMI_VERSION in versions.env")


def run(cache: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",  # no pulumi here
        "HOME": str(cache),
        "LANGSMITH_ENGINE_CACHE": str(cache),
        "LANGSMITH_ENGINE_SRC": str(cache / "no-source-here"),
    }
    return subprocess.run(
        ["bash", str(SCRIPT), "pulumi"], capture_output=True, text=True, env=env, check=False
    )


def test_a_cached_engine_is_reused_without_the_source(tmp_path):
    out = tmp_path / f"pulumi-{version()}"
    out.mkdir()
    for name in BINARIES:
        (out / name).write_text("#!/bin/sh\n")
        os.chmod(out / name, 0o755)
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == str(out)
    assert "reusing the cached Pulumi engine" in result.stderr


def test_an_incomplete_cache_without_source_says_what_to_set(tmp_path):
    out = tmp_path / f"pulumi-{version()}"
    out.mkdir()
    (out / "pulumi").write_text("#!/bin/sh\n")
    os.chmod(out / "pulumi", 0o755)
    result = run(tmp_path)
    assert result.returncode == 1
    assert "set LANGSMITH_ENGINE_SRC" in result.stderr
