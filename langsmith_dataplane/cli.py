"""`dataplane`: validate a topology, print its JSON Schema (and, later, plan and diff it).

Exit codes: 0 ok, 1 the topology has errors, 2 usage errors (bad arguments, unreadable file).
Never a Python traceback: unexpected failures print one line (set DATAPLANE_DEBUG=1 for more).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence

from langsmith_dataplane.diagnostics import TopologyError
from langsmith_dataplane.topology import ValidatedTopology, load_topology
from langsmith_dataplane.topology.json_schema import topology_json_schema

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


class UsageError(Exception):
    """Bad invocation: wrong arguments or a file that cannot be read."""


def _load(path: str) -> ValidatedTopology:
    try:
        return load_topology(path)
    except IsADirectoryError:
        raise UsageError(f"cannot read {path}: it is a directory") from None
    except FileNotFoundError:
        raise UsageError(f"cannot read {path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def summary(topology: ValidatedTopology) -> str:
    model = topology.model

    def count(n: int, noun: str) -> str:
        return f"{n} {noun}{'' if n == 1 else 's'}"

    return (
        f"{topology.file}: ok: {count(len(model.workspaces), 'workspace')}, "
        f"{count(len(model.clusters), 'cluster')}, {count(len(model.listeners), 'listener')}, "
        f"{count(len(model.stacks), 'stack')}"
    )


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        topology = _load(args.path)
    except TopologyError as exc:
        print(exc.render(args.format))
        errors = sum(1 for d in exc.diagnostics if d.severity == "error")
        print(f"{args.path}: {errors} error{'' if errors == 1 else 's'}", file=sys.stderr)
        return EXIT_INVALID
    for warning in topology.warnings:
        print(warning.format(args.format))
    print(summary(topology))
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(topology_json_schema(), indent=2))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dataplane",
        description="LangSmith hybrid data planes from one topology file.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    validate = commands.add_parser(
        "validate", help="check a topology file against the schema and the LangSmith rules"
    )
    validate.add_argument("path", metavar="PATH", help="topology file (e.g. topology.yaml)")
    validate.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="text: PATH:LINE:COL: error: MESSAGE; github: workflow annotations",
    )
    validate.set_defaults(handler=cmd_validate)

    schema = commands.add_parser("schema", help="print the topology JSON Schema")
    schema.set_defaults(handler=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on usage errors, as argparse does
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"dataplane: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("DATAPLANE_DEBUG"):
            traceback.print_exc()
        print(
            f"dataplane: internal error: {type(exc).__name__}: {exc} "
            "(set DATAPLANE_DEBUG=1 for details; please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
