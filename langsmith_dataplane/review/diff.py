"""`dataplane diff`: what a topology change does to each stack, before anyone runs `pulumi up`.

Both topologies run under mocks; resources are matched by URN, or through aliases (a
`renamedFrom` rename is a match, not a delete and a create). A changed input that the provider
cannot update in place (a namespace name, an RDS engine, a node group's instance types, ...)
makes the change a replacement. Deleting or replacing a stateful resource (databases, caches,
StatefulSets, namespaces, the EKS cluster, the operator's CRD), or turning a stack's `protect`
off, is a stateful loss, reported first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from langsmith_dataplane.forked import map_parallel
from langsmith_dataplane.review.masking import reveal
from langsmith_dataplane.review.plan import display_type, is_stateful, replaced_by
from langsmith_dataplane.simulation import RecordedResource, simulate
from langsmith_dataplane.stack_slice import slice_for_stack
from langsmith_dataplane.topology.schema import Topology

# Input paths the provider cannot change in place (a change means delete + create).
_K8S_IDENTITY = ("metadata.name", "metadata.namespace", "apiVersion", "kind")
REPLACE_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:apps/v1:StatefulSet": (
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
        "spec.podManagementPolicy",
    ),
    "kubernetes:batch/v1:Job": ("spec.template", "spec.selector", "spec.completions"),
    "kubernetes:core/v1:Service": ("spec.clusterIP",),
    "kubernetes:core/v1:Secret": ("type",),
    "kubernetes:storage.k8s.io/v1:StorageClass": ("provisioner", "parameters", "reclaimPolicy"),
    "kubernetes:helm.sh/v3:Release": ("name", "namespace"),
    "aws:rds/instance:Instance": (
        "identifier",
        "engine",
        "storageEncrypted",
        "username",
        "dbSubnetGroupName",
        "kmsKeyId",
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "replicationGroupId",
        "engine",
        "atRestEncryptionEnabled",
        "subnetGroupName",
        "port",
    ),
    "aws:eks/cluster:Cluster": ("name", "roleArn", "encryptionConfig"),
    "aws:eks/nodeGroup:NodeGroup": (
        "nodeGroupName",
        "clusterName",
        "subnetIds",
        "instanceTypes",
        "amiType",
        "nodeRoleArn",
    ),
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone", "vpcId"),
    "aws:ec2/securityGroup:SecurityGroup": ("vpcId", "description", "name"),
    "aws:rds/subnetGroup:SubnetGroup": ("name",),
    "random:index/randomPassword:RandomPassword": (
        "length",
        "special",
        "upper",
        "lower",
        "numeric",
    ),
    "pulumi-python:dynamic:Resource": ("compute_id", "workspace_id", "base_url"),
}
IGNORED_PATHS = ("__provider",)


@dataclass(frozen=True)
class Change:
    kind: str  # added, removed, changed, replaced, renamed
    type: str
    name: str
    urn: str
    paths: tuple[str, ...] = ()
    reason: str = ""
    old_name: str = ""
    stateful: bool = False

    @property
    def stateful_loss(self) -> bool:
        return self.kind in ("removed", "replaced") and self.stateful

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind,
            "type": self.type,
            "name": self.name,
            "urn": self.urn,
        }
        if self.paths:
            out["paths"] = list(self.paths)
        if self.reason:
            out["reason"] = self.reason
        if self.old_name:
            out["oldName"] = self.old_name
        return out


@dataclass
class StackDiff:
    stack: str
    status: str  # unchanged, changed, added, removed, "no base"
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    @property
    def stateful_losses(self) -> list[str]:
        losses = [f"{c.kind} {c.type} {c.name}" for c in self.changes if c.stateful_loss]
        return losses + self.warnings

    @property
    def affected(self) -> bool:
        return self.status != "unchanged"


@dataclass
class TopologyDiff:
    stacks: dict[str, StackDiff]
    notes: list[str] = field(default_factory=list)
    # The two sides (None: no base), for what is decided across stacks (`waves`).
    base: Topology | None = field(default=None, repr=False, compare=False)
    head: Topology | None = field(default=None, repr=False, compare=False)

    @property
    def affected_stacks(self) -> list[str]:
        return [name for name, d in self.stacks.items() if d.affected]

    @property
    def stateful_losses(self) -> list[tuple[str, str]]:
        return [(name, loss) for name, d in self.stacks.items() for loss in d.stateful_losses]

    def as_json(self) -> dict[str, Any]:
        return {
            "affectedStacks": self.affected_stacks,
            "notes": self.notes,
            "statefulLoss": [{"stack": s, "what": w} for s, w in self.stateful_losses],
            "stacks": {
                name: {
                    "status": d.status,
                    **{
                        kind: [c.as_json() for c in d.of(kind)]
                        for kind in ("added", "removed", "changed", "replaced", "renamed")
                    },
                    "warnings": d.warnings,
                }
                for name, d in self.stacks.items()
            },
        }


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


def _forces_replacement(resource: RecordedResource, paths: Iterable[str]) -> list[str]:
    type_ = resource.type
    rules = REPLACE_PATHS.get(type_, ())
    if type_.startswith("kubernetes:") and type_ != "kubernetes:helm.sh/v3:Release":
        rules = (*rules, *_K8S_IDENTITY)
    if type_ == "pulumi-python:dynamic:Resource":
        rules = replaced_by(resource)
    return [p for p in paths if any(p == r or p.startswith(f"{r}.") for r in rules)]


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


def diff_stack(stack: str, base: Topology | None, head: Topology | None) -> StackDiff:
    return diff_resources(
        stack,
        simulate(base, stack).resources if base else None,
        simulate(head, stack).resources if head else None,
        _protection_removed(stack, base, head),
    )


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
        replacing = _forces_replacement(resource, paths)
        if replacing:
            reason = "cannot change in place: " + ", ".join(replacing)
            changes.append(
                Change(
                    "replaced",
                    display_type(resource),
                    resource.name,
                    urn,
                    tuple(paths),
                    reason,
                    stateful=is_stateful(resource),
                )
            )
        elif paths:
            changes.append(
                Change("changed", display_type(resource), resource.name, urn, tuple(paths))
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
    status = "changed" if changes else "unchanged"
    if base is None:
        status = "added"
    elif head is None:
        status = "removed"
    return StackDiff(stack, status, changes, list(warnings or []))


def diff_topologies(base: Topology, head: Topology) -> TopologyDiff:
    """Per stack; a stack whose slice of the topology is identical is unchanged, unsimulated.
    The others are simulated on every core (`forked.map_parallel`)."""
    out: dict[str, StackDiff] = {}
    affected: list[tuple[str, Topology | None, Topology | None]] = []
    for stack in sorted(set(base.stacks) | set(head.stacks)):
        old = base if stack in base.stacks else None
        new = head if stack in head.stacks else None
        if old and new and slice_for_stack(old, stack) == slice_for_stack(new, stack):
            out[stack] = StackDiff(stack, "unchanged")
        else:
            affected.append((stack, old, new))
    for diff in map_parallel(lambda sides: diff_stack(*sides), affected):
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
        new = None
        if stack in head.stacks:
            new = (
                head_resources.get(stack, [])
                if head_resources is not None
                else simulate(head, stack).resources
            )
        warnings = _protection_removed(stack, base, head)
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
