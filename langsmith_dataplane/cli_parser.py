"""The `dataplane` command line: commands, arguments, help texts (the handlers live in `cli`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping

Handler = Callable[[argparse.Namespace], int]


def build_parser(handlers: Mapping[str, Handler]) -> argparse.ArgumentParser:
    """The `dataplane` command line; each command runs `handlers[name](args)`."""
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
    validate.set_defaults(handler=handlers["validate"])

    plan = commands.add_parser(
        "plan",
        help="show what each stack would create (Pulumi program under mocks, no credentials)",
    )
    plan.add_argument("path", metavar="PATH", help="topology file")
    plan.add_argument("--stack", help="only this stack (default: every stack)")
    plan.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    plan.add_argument(
        "--verbose", action="store_true", help="text: also list every resource as a tree"
    )
    plan.set_defaults(handler=handlers["plan"])

    diff = commands.add_parser(
        "diff", help="what changes between two topology versions, per stack (no credentials)"
    )
    diff.add_argument("paths", nargs="+", metavar="PATH", help="BASE HEAD, or HEAD with --git")
    diff.add_argument(
        "--git",
        metavar="REF",
        help="take BASE from this git ref (e.g. origin/main), planned with that revision's code "
        "when the program changed; a null commit (first push) affects every stack",
    )
    diff.add_argument(
        "--format",
        choices=("text", "json", "markdown", "stacks", "waves"),
        default="text",
        help="stacks: only the JSON list of affected stacks (for a workflow matrix); waves: "
        "those stacks as a JSON list of lists, each run after the one before (a created "
        "workspace's owner before the stacks that use it; after its removal, them first)",
    )
    diff.add_argument(
        "--fail-on-stateful-loss",
        action="store_true",
        help="exit 3 if a database, cache, volume or namespace would be deleted or replaced",
    )
    diff.set_defaults(handler=handlers["diff"])

    render = commands.add_parser(
        "render", help="write one YAML manifest per Kubernetes object of a stack"
    )
    render.add_argument("path", metavar="PATH", help="topology file")
    render.add_argument("--stack", required=True, help="the stack to render")
    render.add_argument("--out", required=True, metavar="DIR", help="output directory")
    render.set_defaults(handler=handlers["render"])

    topologies = commands.add_parser(
        "topologies",
        help="list the topology files the project's stacks read (for CI: review and deploy each)",
    )
    topologies.add_argument(
        "--project", default=".", metavar="DIR", help="the Pulumi project (default: .)"
    )
    topologies.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one file per line; json: each file with the stacks that read it",
    )
    topologies.set_defaults(handler=handlers["topologies"])

    schema = commands.add_parser("schema", help="print the topology JSON Schema")
    schema.set_defaults(handler=handlers["schema"])
    return parser
