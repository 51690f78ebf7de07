"""`dataplane diff`: what a topology change does to each stack, before anyone runs `pulumi up`.

Both topologies run under mocks; resources are matched by URN, or through aliases (a
`renamedFrom` rename is a match, not a delete and a create). A changed input that the provider
cannot update in place (a namespace name, an RDS engine, a node group's instance types, ...)
makes the change a replacement. Deleting or replacing a stateful resource (databases, caches,
StatefulSets, namespaces, the EKS cluster, the operator's CRD), or turning a stack's `protect`
off, is a stateful loss, reported first. A service key replaced is a rotation, its own kind: the
new key is made and handed to what holds it before the old one is revoked, so nothing is lost.
Each changed path is shown with its old and new value (secrets by reference name only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langsmith_dataplane.dynamic_kinds import CHANGED_BY_THE_CLUSTER_ONLY, SERVICE_KEY_KIND
from langsmith_dataplane.forked import map_parallel
from langsmith_dataplane.review.changes import Change, StackDiff, TopologyDiff
from langsmith_dataplane.review.masking import UNKNOWN, reveal
from langsmith_dataplane.review.plan import display_type, is_stateful, record_kind
from langsmith_dataplane.review.replace_rules import forces_replacement
from langsmith_dataplane.review.shown_values import old_and_new
from langsmith_dataplane.simulation import RecordedResource, simulate
from langsmith_dataplane.stack_slice import slice_for_stack
from langsmith_dataplane.topology.schema import Topology
from langsmith_dataplane.wiring.options import ProgramOptions

if TYPE_CHECKING:
    from langsmith_dataplane.review.stack_options import SideOptions

DEFAULTS = ProgramOptions()

IGNORED_PATHS = ("__provider",)


def _differences(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted paths where two input trees differ (lists compared whole)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if path in IGNORED_PATHS:
                continue
            if key not in old or key not in new:
                out.append(path)
            else:
                out.extend(_differences(old[key], new[key], path))
        return out
    return [] if old == new else [prefix or "(value)"]


def _ignored(path: str, ignore_changes: list[str]) -> bool:
    """A path the engine does not update (`ignore_changes`): no change in the preview."""
    return any(path == key or path.startswith(key + ".") for key in ignore_changes)


def _old_urns(resource: RecordedResource, by_urn: dict[str, RecordedResource]) -> list[str]:
    """URNs this resource had before a rename: its own aliases and its ancestors'."""
    prefix, _, name = resource.urn.rpartition("::")
    candidates = [f"{prefix}::{alias}" for alias in resource.aliases if "::" not in alias]
    candidates += [alias for alias in resource.aliases if alias.startswith("urn:")]
    parent = by_urn.get(resource.parent)
    while parent is not None:
        for alias in parent.aliases:
            if "::" not in alias and name.startswith(parent.name):
                candidates.append(f"{prefix}::{alias}{name[len(parent.name) :]}")
        parent = by_urn.get(parent.parent)
    return candidates


def _protection_removed(stack: str, base: Topology | None, head: Topology | None) -> list[str]:
    """`protect: true -> false` unprotects every stateful resource of the stack at once."""
    if base is None or head is None or stack not in base.stacks or stack not in head.stacks:
        return []
    if base.stacks[stack].protect and not head.stacks[stack].protect:
        return [
            f"stack {stack}: protect true -> false removes the protection of every database, "
            "cache, volume, namespace and cluster of the stack"
        ]
    return []


def _keys_remade_for_renamed_holders(changes: list[Change]) -> list[Change]:
    """A renamed listener or server gets a key of its new name (its description names its
    holder) and the old key goes: Pulumi deletes what left the program last, after the new key
    is in the holder's Secret, so the pair is a rotation, not a loss."""
    renames = [
        (c.old_name, c.name)
        for c in changes
        if c.kind == "renamed"
        and c.type in ("langsmith:index:Listener", "langsmith:index:AgentServer")
    ]
    added = {c.name for c in changes if c.kind == "added" and c.type == "langsmith/ServiceKey"}
    out = []
    for change in changes:
        remade = next(
            (
                change.name[: -len(old)] + new
                for old, new in renames
                if change.name.endswith(f"-{old}") and change.name[: -len(old)] + new in added
            ),
            None,
        )
        if change.kind == "removed" and change.type == "langsmith/ServiceKey" and remade:
            reason = f"rotated: revoked once its holder has switched to {remade}"
            change = Change("removed", change.type, change.name, change.urn, reason=reason)
        out.append(change)
    return out


def diff_stack(
    stack: str,
    base: Topology | None,
    head: Topology | None,
    options: tuple[ProgramOptions, ProgramOptions] = (DEFAULTS, DEFAULTS),
) -> StackDiff:
    """`options`: what each side's stack config makes the program do (`stack_options`)."""
    return diff_as_previewed(
        stack,
        simulate(base, stack, options=options[0]).resources if base else None,
        head,
        _protection_removed(stack, base, head),
        options[1],
    )


PREVIEW_ROUNDS = 4  # each round can only add records; real chains are 2 deep


def diff_as_previewed(
    stack: str,
    base: list[RecordedResource] | None,
    head: Topology | None,
    warnings: list[str],
    options: ProgramOptions = DEFAULTS,
) -> StackDiff:
    """As the engine previews it: a LangSmith record updated in place has no known output but
    its id until `up` (Python's dynamic provider keeps none stable), so whatever reads one
    (the Secret holding a key whose role changes, the release with its checksum) is an update
    in the preview too. The head is simulated again with those outputs unknown until no new
    record joins them."""
    if head is None:
        return diff_resources(stack, base, None, warnings)
    unknown: frozenset[str] = frozenset()
    for _ in range(PREVIEW_ROUNDS):
        resources = simulate(head, stack, options=options, unknown_outputs=unknown).resources
        diff = diff_resources(stack, base, resources, warnings)
        # Records updated in place, by name: a `langsmith/` type that only changes.
        updated = frozenset(
            c.name for c in diff.changes if c.kind == "changed" and c.type.startswith("langsmith/")
        )
        if updated <= unknown:
            break
        unknown |= updated
    return diff


def diff_resources(
    stack: str,
    base: list[RecordedResource] | None,
    head: list[RecordedResource] | None,
    warnings: list[str] | None = None,
) -> StackDiff:
    """What `pulumi up` of `stack` would change, from what each side declares (None: the
    stack does not exist on that side)."""
    old = {r.urn: r for r in base or []}
    new = {r.urn: r for r in head or []}
    changes: list[Change] = []
    matched_old: set[str] = set()
    for urn, resource in sorted(new.items()):
        previous_urn = urn if urn in old else None
        if previous_urn is None:
            previous_urn = next((u for u in _old_urns(resource, new) if u in old), None)
        if previous_urn is None:
            changes.append(Change("added", display_type(resource), resource.name, urn))
            continue
        matched_old.add(previous_urn)
        previous = old[previous_urn]
        paths = _differences(reveal(previous.inputs), reveal(resource.inputs))
        paths = [p for p in paths if not _ignored(p, resource.ignore_changes)]
        if record_kind(resource) in CHANGED_BY_THE_CLUSTER_ONLY:
            paths = []  # its provider's diff reads the cluster, not its inputs
        replacing = forces_replacement(resource, paths)
        values = old_and_new(previous.inputs, resource.inputs, tuple(paths))
        # Not known until `up` (`diff_as_previewed`): an update in the preview, as the
        # providers' diffs say (`record_diff`), mostly the same value at `up`.
        unknown = {path for path, _, shown_new in values if shown_new == UNKNOWN}
        replacing = [path for path in replacing if path not in unknown]
        if replacing:
            rotation = record_kind(resource) == SERVICE_KEY_KIND
            reason = (
                "rotated: a new key, handed to what holds it before the old one is revoked"
                if rotation
                else "cannot change in place: " + ", ".join(replacing)
            )
            changes.append(
                Change(
                    "rotated" if rotation else "replaced",
                    display_type(resource),
                    resource.name,
                    urn,
                    tuple(paths),
                    reason,
                    stateful=is_stateful(resource) and not rotation,
                    values=values,
                )
            )
        elif paths:
            changes.append(
                Change(
                    "changed",
                    display_type(resource),
                    resource.name,
                    urn,
                    tuple(paths),
                    values=values,
                )
            )
        if previous_urn != urn:
            changes.append(
                Change(
                    "renamed", display_type(resource), resource.name, urn, old_name=previous.name
                )
            )
    for urn, resource in sorted(old.items()):
        if urn not in matched_old:
            changes.append(
                Change(
                    "removed",
                    display_type(resource),
                    resource.name,
                    urn,
                    stateful=is_stateful(resource),
                )
            )
    changes = _keys_remade_for_renamed_holders(changes)
    status = "changed" if changes else "unchanged"
    cautions = [
        f"{c.type} {c.name}: allow_deletion false -> true: removing it from the topology (or "
        "`pulumi destroy`) now deletes it in LangSmith, with its traces and datasets"
        for c in changes
        for path, _, new in c.values
        if path == "allow_deletion" and new == "true"
    ]
    if base is None:
        status = "added"
    elif head is None:
        status = "removed"
    return StackDiff(stack, status, changes, list(warnings or []), cautions)


def diff_topologies(
    base: Topology, head: Topology, options: tuple[SideOptions, SideOptions] | None = None
) -> TopologyDiff:
    """Per stack; a stack whose slice of the topology and options are identical is unchanged,
    unsimulated. The others are simulated on every core (`forked.map_parallel`). `options`:
    each side's per stack (defaults for a stack not named)."""
    out: dict[str, StackDiff] = {}
    affected: list[tuple[str, Topology | None, Topology | None, tuple[Any, Any]]] = []
    base_options, head_options = options or ({}, {})
    for stack in sorted(set(base.stacks) | set(head.stacks)):
        old = base if stack in base.stacks else None
        new = head if stack in head.stacks else None
        sides = (base_options.get(stack, DEFAULTS), head_options.get(stack, DEFAULTS))
        if (
            old
            and new
            and sides[0] == sides[1]
            and slice_for_stack(old, stack) == slice_for_stack(new, stack)
        ):
            out[stack] = StackDiff(stack, "unchanged")
        else:
            affected.append((stack, old, new, sides))
    for diff in map_parallel(lambda args: diff_stack(*args), affected):
        out[diff.stack] = diff
    return TopologyDiff(dict(sorted(out.items())), base=base, head=head)


def diff_programs(
    base: Topology,
    head: Topology,
    base_resources: dict[str, list[RecordedResource]],
    head_resources: dict[str, list[RecordedResource]] | None = None,
) -> TopologyDiff:
    """Per stack, when the program itself changed: the base as the base revision's code
    declared it against the head as the head's code declares it (this process's, unless
    `head_resources` are given). Every stack is simulated: a code change can touch a stack
    whose topology slice is identical."""
    out = {}
    for stack in sorted(set(base.stacks) | set(head.stacks)):
        old = base_resources.get(stack, []) if stack in base.stacks else None
        warnings = _protection_removed(stack, base, head)
        if head_resources is None:
            out[stack] = diff_as_previewed(
                stack, old, head if stack in head.stacks else None, warnings
            )
            continue
        new = head_resources.get(stack, []) if stack in head.stacks else None
        out[stack] = diff_resources(stack, old, new, warnings)
    return TopologyDiff(out, base=base, head=head)


def no_base(head: Topology, why: str) -> TopologyDiff:
    """No base revision to compare with (a branch's first push): every stack is affected."""
    return TopologyDiff(
        {stack: StackDiff(stack, "no base") for stack in sorted(head.stacks)}, [why], head=head
    )


def with_config_changes(
    diff: TopologyDiff, base: dict[str, dict[str, Any]], head: dict[str, dict[str, Any]]
) -> TopologyDiff:
    """A changed `stacks/Pulumi.<stack>.yaml` affects its stack (keys named, values never:
    they may be secrets)."""
    for stack, stack_diff in diff.stacks.items():
        old, new = base.get(stack, {}), head.get(stack, {})
        keys = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        if not keys:
            continue
        file = f"Pulumi.{stack}.yaml"
        stack_diff.changes.append(Change("changed", "pulumi:config", file, file, tuple(keys)))
        if stack_diff.status == "unchanged":
            stack_diff.status = "changed"
    return diff
