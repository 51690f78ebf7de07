"""`dataplane diff`: two topologies, or one against a git revision, as a review reads them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from langsmith_dataplane.cli import (
    EXIT_INVALID,
    EXIT_OK,
    UsageError,
    _validated_or_report,
)
from langsmith_dataplane.diagnostics import TopologyError, clean
from langsmith_dataplane.topology import ValidatedTopology

if TYPE_CHECKING:
    from langsmith_dataplane.review.diff import TopologyDiff

EXIT_STATEFUL_LOSS = 3


def _base_from_git(
    ref: str, head_path: str, head: ValidatedTopology
) -> tuple[TopologyDiff | None, str]:
    """`diff --git REF`: the base as REF declared it, with REF's code when the program
    changed; every stack affected when there is no base revision (a branch's first push)."""
    from pathlib import Path

    from langsmith_dataplane.review import git_revision
    from langsmith_dataplane.review.diff import (
        diff_programs,
        diff_topologies,
        no_base,
        with_config_changes,
    )
    from langsmith_dataplane.review.stack_checks import stack_config_errors
    from langsmith_dataplane.review.stack_options import options_by_stack
    from langsmith_dataplane.topology import parse_topology

    try:
        base = git_revision.resolve(ref, head_path)
        if base.commit is None:
            return no_base(
                head.model, "no base revision (a branch's first push): every stack is affected"
            ), base.display
        base_text = base.topology_text()
        try:
            base_topology = parse_topology(base_text, base.display)
        except TopologyError as exc:
            print(exc.render())
            return None, base.display
        program_changed = base.program_changed()
        elsewhere = git_revision.holds_program(base.top) and not git_revision.runs_from(base.top)
        if program_changed or elsewhere:
            stacks = sorted(set(base_topology.model.stacks) | set(head.model.stacks))
            head_resources = None
            if elsewhere:
                text = Path(head_path).read_text(encoding="utf-8")
                head_resources = git_revision.simulate_work_tree(
                    base.top, text, clean(head_path), stacks
                )
            diff = diff_programs(
                base_topology.model,
                head.model,
                git_revision.simulate_base(base, base_text, stacks),
                head_resources,
            )
            if program_changed:
                diff.notes.append(
                    f"the program changed since {clean(ref)}: each side planned with its own code"
                )
        files = git_revision.work_tree_stack_files(base.top)
        configs = base.stack_configs(), {f.stack: f.values for f in files}
        if not (program_changed or elsewhere):
            # Each side as its stack config makes the program run (`stack_options`).
            options = options_by_stack(configs[0]), options_by_stack(configs[1])
            diff = diff_topologies(base_topology.model, head.model, options)
    except git_revision.GitError as exc:
        raise UsageError(str(exc)) from None
    diff.config_errors = stack_config_errors(files, head.model, base.topology)
    return with_config_changes(diff, *configs), base.display


def cmd_diff(args: argparse.Namespace) -> int:
    from langsmith_dataplane.review.diff import diff_topologies
    from langsmith_dataplane.review.diff_format import diff_markdown, diff_text

    if args.git:
        if len(args.paths) != 1:
            raise UsageError("with --git REF give one path: dataplane diff --git REF HEAD_PATH")
        head_path = args.paths[0]
    else:
        if len(args.paths) != 2:
            raise UsageError("give BASE and HEAD paths, or --git REF and the HEAD path")
        base_name, head_path = args.paths
    head = _validated_or_report(head_path)
    if head is None:
        return EXIT_INVALID
    if args.git:
        diff, base_name = _base_from_git(args.git, head_path, head)
        if diff is None:
            return EXIT_INVALID
    else:
        base = _validated_or_report(base_name)
        if base is None:
            return EXIT_INVALID
        diff = diff_topologies(base.model, head.model)
    if args.format == "json":
        print(json.dumps(diff.as_json(), indent=2))
    elif args.format == "stacks":
        print(json.dumps(diff.affected_stacks))
    elif args.format == "waves":
        from langsmith_dataplane.review.waves import StackCycleError, deploy_waves

        try:
            waves = deploy_waves(diff.base, diff.head or head.model, diff.affected_stacks)
        except StackCycleError as exc:
            raise UsageError(str(exc)) from None
        print(json.dumps(waves))
    elif args.format == "markdown":
        print(diff_markdown(diff, clean(base_name), clean(head_path)), end="")
    else:
        print(diff_text(diff), end="")
    if diff.config_errors:
        for line in diff.config_errors:
            print(clean(line), file=sys.stderr)
        print(
            f"dataplane: {len(diff.config_errors)} stack config error(s): `pulumi up` of the "
            "merged code would stop there",
            file=sys.stderr,
        )
        return EXIT_INVALID
    if args.fail_on_stateful_loss and diff.stateful_losses:
        print(
            f"dataplane: {len(diff.stateful_losses)} stateful loss(es); failing as asked",
            file=sys.stderr,
        )
        return EXIT_STATEFUL_LOSS
    return EXIT_OK
