"""Render every stack of the shipped topologies and scan the manifests with checkov.

Fails on any finding not listed, with a reason, in checkov-skips.yaml. Run by `make scan` (CI).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from langsmith_dataplane.review.render import render_stack  # noqa: E402
from langsmith_dataplane.topology import load_topology  # noqa: E402


def skips(path: Path) -> list[str]:
    entries = yaml.safe_load(path.read_text())["skips"]
    for entry in entries:
        if not str(entry.get("reason", "")).strip():
            raise SystemExit(f"{path}: skip {entry.get('id')} has no reason")
    return [entry["id"] for entry in entries]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkov", default="checkov", help="checkov executable")
    parser.add_argument("--out", default=str(REPO / "out" / "rendered"))
    args = parser.parse_args()
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    files = [REPO / "topology.yaml", *sorted((REPO / "examples").glob("*.yaml"))]
    count = 0
    for file in files:
        model = load_topology(file).model
        for stack in sorted(model.stacks):
            rendered = render_stack(model, stack, out / file.stem / stack)
            count += len(rendered.manifests)
    print(f"rendered {count} manifests from {len(files)} topologies into {out}")
    skipped = skips(REPO / "checkov-skips.yaml")
    command = [
        args.checkov,
        "--directory",
        str(out),
        "--framework",
        "kubernetes",
        "--skip-check",
        ",".join(skipped),
        "--skip-download",
        "--compact",
        "--quiet",
        "--output",
        "cli",
    ]
    print("running:", " ".join(command))
    return subprocess.run(command, cwd=REPO, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
