"""`dataplane`: validate a topology, print its JSON Schema (and, later, plan and diff it).

Exit codes: 0 ok, 1 the topology has errors, 2 usage errors (bad arguments, unreadable file).
Never a Python traceback: unexpected failures print one line (set DATAPLANE_DEBUG=1 for more).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from collections.abc import Sequence

from langsmith_dataplane.cli_parser import build_parser
from langsmith_dataplane.diagnostics import TopologyError, clean
from langsmith_dataplane.topology import ValidatedTopology, load_topology
from langsmith_dataplane.topology.json_schema import topology_json_schema

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 70, 130


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

    deployments = sum(len(listener.deployments) for listener in model.listeners.values())
    parts = [
        count(len(model.workspaces), "workspace"),
        count(len(model.clusters), "cluster"),
        count(len(model.listeners), "listener"),
        *([count(deployments, "deployment")] if deployments else []),
        *([count(len(model.agent_servers), "Agent Server")] if model.agent_servers else []),
        *(
            [count(len(model.cloud_deployments), "Cloud deployment")]
            if model.cloud_deployments
            else []
        ),
        count(len(model.stacks), "stack"),
    ]
    return f"{clean(topology.file)}: ok: {', '.join(parts)}"


def _report(path: str, exc: TopologyError, style: str) -> None:
    """Every diagnostic, then how many errors (on stderr), as `validate` and `plan` both say."""
    print(exc.render(style))
    errors = sum(1 for d in exc.diagnostics if d.severity == "error")
    print(f"{clean(path)}: {errors} error{'' if errors == 1 else 's'}", file=sys.stderr)


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        topology = _load(args.path)
    except TopologyError as exc:
        _report(args.path, exc, args.format)
        return EXIT_INVALID
    for warning in topology.warnings:
        print(warning.format(args.format))
    print(summary(topology))
    return EXIT_OK


def _validated_or_report(path: str, style: str = "text") -> ValidatedTopology | None:
    """The validated topology, or None after printing its errors (exit 1 for the caller)."""
    try:
        topology = _load(path)
    except TopologyError as exc:
        _report(path, exc, style)
        return None
    for warning in topology.warnings:
        print(warning.format(), file=sys.stderr)
    return topology


def _check_stack(topology: ValidatedTopology, stack: str | None) -> list[str] | None:
    if stack is None:
        return None
    if stack not in topology.model.stacks:
        known = ", ".join(sorted(topology.model.stacks))
        raise UsageError(f"stack '{stack}' is not in {topology.file} (stacks: {known})")
    return [stack]


def cmd_plan(args: argparse.Namespace) -> int:
    from langsmith_dataplane.review.plan import plan_json, plan_topology
    from langsmith_dataplane.review.plan_format import plan_markdown, plan_text

    topology = _validated_or_report(args.path)
    if topology is None:
        return EXIT_INVALID
    plans = plan_topology(topology.model, _check_stack(topology, args.stack))
    if args.format == "json":
        print(json.dumps(plan_json(plans), indent=2, sort_keys=False, default=str))
    elif args.format == "markdown":
        print(plan_markdown(topology.model, plans, clean(args.path)))
    else:
        print(plan_text(topology.model, plans, clean(args.path), verbose=args.verbose), end="")
    return EXIT_OK


def cmd_render(args: argparse.Namespace) -> int:
    from pathlib import Path

    from langsmith_dataplane.review.render import UnsafeOutputError, render_stack

    topology = _validated_or_report(args.path)
    if topology is None:
        return EXIT_INVALID
    _check_stack(topology, args.stack)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")
    try:
        rendered = render_stack(topology.model, args.stack, out)
    except UnsafeOutputError as exc:
        raise UsageError(clean(str(exc))) from None
    shown = clean(str(out))

    def count(n: int, noun: str) -> str:
        return f"{n} {noun}{'' if n == 1 else 's'}"

    print(
        f"{shown}: {count(len(rendered.manifests), 'Kubernetes manifest')}, "
        f"{count(len(rendered.helm_releases), 'Helm release')} (in {shown}/helm); "
        f"Kubernetes {rendered.kubernetes_version}; secret values masked"
    )
    if rendered.deployments:
        print(f"{count(len(rendered.deployments), 'deployment request')} in {shown}/deployments")
    for name in rendered.removed:
        print(f"removed stale {clean(name)} (written by an earlier render)")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(topology_json_schema(), indent=2))
    return EXIT_OK


def cmd_topologies(args: argparse.Namespace) -> int:
    from pathlib import Path

    from langsmith_dataplane.review.topology_files import TopologyFileError, topology_files

    try:
        files = topology_files(Path(args.project))
    except TopologyFileError as exc:
        print(clean(str(exc)), file=sys.stderr)
        return EXIT_INVALID
    if args.format == "json":
        print(json.dumps(files, indent=2))
    else:
        print("\n".join(files))
    return EXIT_OK


def command_line() -> argparse.ArgumentParser:
    """The parser with this module's handlers."""
    from langsmith_dataplane.cli_diff import cmd_diff

    return build_parser(
        {
            "validate": cmd_validate,
            "plan": cmd_plan,
            "diff": cmd_diff,
            "render": cmd_render,
            "schema": cmd_schema,
            "topologies": cmd_topologies,
        }
    )


def _quiet_broken_pipe() -> int:
    """`dataplane plan | head`: the reader left; stop quietly (and let Python not complain)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = command_line()
    args = parser.parse_args(argv)  # exits 2 on usage errors, as argparse does
    try:
        code = int(args.handler(args))
        sys.stdout.flush()
        return code
    except UsageError as exc:
        print(f"dataplane: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("dataplane: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except UnicodeEncodeError as exc:
        print(
            f"dataplane: error: the terminal cannot show {exc.object[exc.start : exc.end]!a} "
            f"({exc.encoding}); set PYTHONIOENCODING=utf-8 or a UTF-8 locale",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except OSError as exc:  # --out on a read-only path, /dev/full, /proc, ...
        where = f" {clean(str(exc.filename))}" if exc.filename else ""
        print(f"dataplane: error: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:
        if os.environ.get("DATAPLANE_DEBUG"):
            traceback.print_exc()
        print(
            f"dataplane: internal error: {type(exc).__name__}: {exc} "
            "(set DATAPLANE_DEBUG=1 for details; please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def run() -> None:
    """Console entry point: Ctrl-C stops at once with one line and exit 130, wherever it lands
    (argument parsing, the Pulumi mocks' event loop, printing)."""
    import signal

    def interrupted(signum: int, frame: object) -> None:
        try:
            sys.stderr.write("dataplane: interrupted\n")
            sys.stderr.flush()
        finally:
            os._exit(EXIT_INTERRUPTED)  # no asyncio teardown, no half-printed traceback

    signal.signal(signal.SIGINT, interrupted)
    code = main()
    # Everything is written: skip interpreter teardown, where the Pulumi mocks' threads and
    # event loops may print an unraisable error after the command's own last line.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that left (`| head`)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    # `python -m` runs this file as `__main__`; run the imported module instead, so that
    # `cli_diff` (which imports `langsmith_dataplane.cli`) raises the same `UsageError`.
    from langsmith_dataplane.cli import run as run_imported

    run_imported()
