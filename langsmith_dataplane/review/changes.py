"""What `dataplane diff` found, per stack and for the whole topology: the shapes the formats
(`diff_format`, `--format json`) and the review gates (`--fail-on-stateful-loss`) read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from langsmith_dataplane.topology.schema import Topology

KINDS = ("added", "removed", "changed", "replaced", "rotated", "renamed")


@dataclass(frozen=True)
class Change:
    kind: str  # one of KINDS
    type: str
    name: str
    urn: str
    paths: tuple[str, ...] = ()
    reason: str = ""
    old_name: str = ""
    stateful: bool = False
    values: tuple[tuple[str, str, str], ...] = ()  # (path, old, new), as `shown_values` shows

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
        if self.values:
            out["values"] = [{"path": p, "old": o, "new": n} for p, o, n in self.values]
        return out


@dataclass
class StackDiff:
    stack: str
    status: str  # unchanged, changed, added, removed, "no base"
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # What is not lost now but arms a loss (a deletion allowed): said, never a failure.
    cautions: list[str] = field(default_factory=list)

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
    # `file:line: error: ...` for stack config files the merged code refuses (`stack_checks`).
    config_errors: list[str] = field(default_factory=list)
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
            "configErrors": self.config_errors,
            "statefulLoss": [{"stack": s, "what": w} for s, w in self.stateful_losses],
            "stacks": {
                name: {
                    "status": d.status,
                    **{kind: [c.as_json() for c in d.of(kind)] for kind in KINDS},
                    "warnings": d.warnings,
                    "cautions": d.cautions,
                }
                for name, d in self.stacks.items()
            },
        }
