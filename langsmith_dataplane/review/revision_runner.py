"""Plan a base revision with its own code (run by `diff --git` as `python -c`, never imported).

Its working directory and import path are the base revision's files (argv[1]); it reads
{"topology", "name", "stacks"} on stdin and prints {"stacks": {stack: [resource, ...]}} or
{"error": "..."}. It uses only the program's long-standing entry points (`parse_topology`,
`simulate`), so it can plan revisions older than itself.
"""

import dataclasses
import json
import sys
from pathlib import Path


def main() -> int:
    tree = Path(sys.argv[1]).resolve()
    request = json.load(sys.stdin)
    try:
        from langsmith_dataplane import simulation
        from langsmith_dataplane.topology import parse_topology
    except Exception as exc:  # the base revision predates these entry points
        print(json.dumps({"error": f"its program cannot be loaded ({type(exc).__name__}: {exc})"}))
        return 1
    if not Path(simulation.__file__).resolve().is_relative_to(tree):
        print(json.dumps({"error": "its program was shadowed by an installed copy"}))
        return 1

    def encode(value):
        if isinstance(value, simulation.Secret):
            return {"$secret": encode(value.value)}
        if isinstance(value, simulation.Unknown):
            return {"$unknown": True}
        if isinstance(value, dict):
            return {str(k): encode(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        return value

    try:
        model = parse_topology(request["topology"], request["name"]).model
    except Exception as exc:
        render = getattr(exc, "render", None)
        print(json.dumps({"error": render() if render else f"{type(exc).__name__}: {exc}"}))
        return 1
    fields = [f.name for f in dataclasses.fields(simulation.RecordedResource)]
    out = {}
    for stack in request["stacks"]:
        if stack not in model.stacks:
            continue
        resources = simulation.simulate(model, stack).resources
        out[stack] = [
            {name: encode(getattr(r, name)) for name in fields if name in _KNOWN} for r in resources
        ]
    print(json.dumps({"stacks": out}))
    return 0


_KNOWN = {
    "urn",
    "type",
    "name",
    "parent",
    "custom",
    "protect",
    "provider",
    "inputs",
    "aliases",
    "dependencies",
    "read",
}

sys.exit(main())
