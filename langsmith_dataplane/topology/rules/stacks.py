"""Stacks: their names and the clusters each one owns."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.topology.rules.registry import (
    RuleContext,
    rule,
)


@rule("cluster-stack")
def each_cluster_in_one_stack(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A cluster is in exactly one stack (none: warning).

    Every cluster belongs to exactly one stack; two stacks must never manage the same objects.
    """
    t = ctx.topology
    owners: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for stack, spec in t.stacks.items():
        for i, cluster in enumerate(spec.clusters):
            owners[cluster].append((stack, i))
    for cname in t.clusters:
        found = owners.get(cname, [])
        if not found:
            yield ctx.warning(
                ("clusters", cname),
                f"cluster '{cname}' belongs to no stack, so no `pulumi up` provisions it",
                at="key",
            )
    for cname, found in owners.items():
        if cname in t.clusters and len(found) > 1:
            first = found[0][0]
            for stack, i in found[1:]:
                verb = "lists it twice" if stack == first else f"is also in stack '{first}'"
                yield ctx.error(
                    ("stacks", stack, "clusters", i),
                    f"cluster '{cname}' {verb}; a cluster belongs to exactly one stack",
                )


_STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


@rule("stack-name")
def stack_names_are_pulumi_names(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Stack names are Pulumi stack names (letters, digits, `-`, `_`, single `.`).

    Stack names become `stacks/Pulumi.<stack>.yaml` and `pulumi -s <stack>` arguments.
    """
    for name in ctx.topology.stacks:
        if not _STACK_NAME.fullmatch(name) or ".." in name:
            yield ctx.error(
                ("stacks", name),
                f"stack name '{name}' must start with a letter or digit and hold only letters, "
                "digits, '-', '_' and single '.' (at most 100 characters)",
                at="key",
            )


@rule("stack-empty")
def stacks_own_something(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A stack owns at least one cluster, Cloud deployment or created workspace.

    A stack with nothing to provision is a typo or a leftover.
    """
    t = ctx.topology
    owning = {cloud.stack for cloud in t.cloud_deployments.values()}
    owning |= {w.owner for w in t.workspaces.values() if w.owner and w.id is None}
    for name, spec in t.stacks.items():
        if not spec.clusters and name not in owning:
            yield ctx.error(
                ("stacks", name),
                f"stack '{name}' owns no cluster, Cloud deployment or workspace: give it "
                "'clusters', or name it as a Cloud deployment's 'stack' or a workspace's 'owner'",
                at="key",
            )


RULES = (each_cluster_in_one_stack, stack_names_are_pulumi_names, stacks_own_something)
