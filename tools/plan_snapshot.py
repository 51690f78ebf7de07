"""Every simulated resource of every shipped stack, as canonical JSON (or one digest per stack).

Restructuring must leave each resource identical (URN, type, parent, protect, inputs, aliases,
dependencies, provider). `tests/test_plan_golden.py` compares the digests this prints with the
committed ones; when they differ, dump the full JSON on both commits and diff them:

    python tools/plan_snapshot.py dump before.json   # on main
    python tools/plan_snapshot.py dump after.json    # on your branch
    diff before.json after.json
    python tools/plan_snapshot.py digests > tests/golden/plan-digests.json  # once it is right
"""

from __future__ import annotations

import glob
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from langsmith_dataplane.simulation import Secret, Unknown, simulate
from langsmith_dataplane.topology import load_topology

REPO = Path(__file__).resolve().parent.parent


def _encode(value: Any) -> Any:
    if isinstance(value, Secret):
        return {"$secret": _encode(value.value)}
    if isinstance(value, Unknown):
        return "$unknown"
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    if isinstance(value, str):
        return value.replace(str(Path.home()), "~")
    return value


def snapshot() -> dict[str, dict[str, Any]]:
    """`{"<file>:<stack>": {urn: resource}}` for topology.yaml and every example."""
    out: dict[str, dict[str, Any]] = {}
    files = [
        "topology.yaml",
        *sorted(str(Path(p).relative_to(REPO)) for p in glob.glob(str(REPO / "examples/*.yaml"))),
    ]
    for name in files:
        model = load_topology(REPO / name, name).model
        for stack in sorted(model.stacks):
            sim = simulate(model, stack)
            out[f"{name}:{stack}"] = {
                r.urn: {
                    "type": r.type,
                    "parent": r.parent,
                    "protect": r.protect,
                    "inputs": _encode(r.inputs),
                    "aliases": r.aliases,
                    "dependencies": sorted(r.dependencies),
                    "provider": r.provider,
                }
                for r in sim.resources
            }
    return out


def digests(snap: dict[str, dict[str, Any]]) -> dict[str, str]:
    """One sha256 per stack over its canonical JSON."""
    return {
        key: hashlib.sha256(json.dumps(resources, sort_keys=True).encode()).hexdigest()
        for key, resources in snap.items()
    }


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "dump":
        Path(argv[1]).write_text(json.dumps(snapshot(), sort_keys=True, indent=1) + "\n")
        return 0
    if argv == ["digests"]:
        print(json.dumps(digests(snapshot()), sort_keys=True, indent=1))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
