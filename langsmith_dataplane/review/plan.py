"""`dataplane plan`: every stack's resources, from the Pulumi program run under mocks.

No credentials and no Pulumi CLI: the program runs in-process with Pulumi's mocks; missing API
keys are secret placeholders. Computed values (endpoints, ids) are simulated.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from langsmith_dataplane.dynamic_kinds import (
    DEPLOYMENT_KIND,
    DISPLAY_TYPES,
    REGISTRATION_DISPLAY_TYPE,
    REGISTRATION_REPLACES,
    REPLACES_BY_KIND,
    STATEFUL_KINDS,
)
from langsmith_dataplane.forked import map_parallel
from langsmith_dataplane.review.masking import mask
from langsmith_dataplane.simulation import RecordedResource, SimulatedStack, simulate
from langsmith_dataplane.topology.schema import Topology

DYNAMIC_TYPE = "pulumi-python:dynamic:Resource"  # every LangSmith record's Pulumi type
STATEFUL_TYPES = frozenset(
    {
        "aws:rds/instance:Instance",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:eks/cluster:Cluster",
        "kubernetes:apps/v1:StatefulSet",
        "kubernetes:core/v1:Namespace",
        # Deleting the operator's CRD deletes every Agent Server resource of the cluster.
        "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
    }
)


def display_type(resource: Any) -> str:
    """LangSmith's records by what they are (`langsmith/Deployment`), not as the dynamic
    provider's one type; every other resource by its Pulumi type."""
    if resource.type == DYNAMIC_TYPE:
        return DISPLAY_TYPES.get(record_kind(resource) or "", REGISTRATION_DISPLAY_TYPE)
    return str(resource.type)


def record_kind(resource: Any) -> str | None:
    """The `kind` of a LangSmith record (a dynamic resource); None for anything else and for a
    listener registration."""
    if resource.type != "pulumi-python:dynamic:Resource":
        return None
    inputs = getattr(resource, "inputs", None) or {}
    kind = inputs.get("kind")
    return kind if isinstance(kind, str) else None


def is_deployment(resource: Any) -> bool:
    """An Agent Server deployment created through the control plane (a dynamic resource)."""
    return record_kind(resource) == DEPLOYMENT_KIND


def is_stateful(resource: Any) -> bool:
    """Deleting it loses data: stores, volumes, namespaces, the cluster, the CRD, a deployment
    (the operator drops its database), a workspace (its traces and datasets) or a service key
    (whatever holds it stops working)."""
    return resource.type in STATEFUL_TYPES or record_kind(resource) in STATEFUL_KINDS


def replaced_by(resource: Any) -> tuple[str, ...]:
    """The inputs of a LangSmith record whose change replaces it."""
    return REPLACES_BY_KIND.get(record_kind(resource) or "", REGISTRATION_REPLACES)


@dataclass(frozen=True)
class PlannedResource:
    urn: str
    type: str
    name: str
    parent: str
    protect: bool
    inputs: dict[str, Any]
    recorded: RecordedResource = field(repr=False, compare=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "protect": self.protect,
            "inputs": self.inputs,
        }


@dataclass(frozen=True)
class StackPlan:
    stack: str
    resources: tuple[PlannedResource, ...]
    simulated: SimulatedStack = field(repr=False, compare=False)

    def counts(self) -> list[tuple[str, int]]:
        counter = Counter(r.type for r in self.resources)
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def plan_stack(topology: Topology, stack: str) -> StackPlan:
    simulated = simulate(topology, stack)
    resources = tuple(
        PlannedResource(
            urn=r.urn,
            type=r.type,
            name=r.name,
            parent=r.parent,
            protect=r.protect,
            inputs=mask(r.inputs),
            recorded=r,
        )
        # By URN: registration order depends on scheduling (and on each process's hash seed).
        for r in sorted(simulated.resources, key=lambda r: r.urn)
    )
    return StackPlan(stack, resources, simulated)


# A worker's share: few enough stacks that the SDK's cyclic garbage it keeps frozen stays under
# `gc_pause.FROZEN_BUDGET` (collecting it would cost more than starting another worker).
STACKS_PER_WORKER = 25


def plan_topology(
    topology: Topology, stacks: Iterable[str] | None = None, *, workers: int | None = None
) -> dict[str, StackPlan]:
    """Every stack's plan, in name order. Stacks are independent simulations: several run in
    worker processes forked from this one (`forked`), `workers` at a time (default: one per
    core) and at most `STACKS_PER_WORKER` stacks each, with the same result as one after
    another (a test compares them). One after another, in this process, when forking is not
    safe (`forked.map_parallel`)."""
    names = sorted(stacks) if stacks is not None else sorted(topology.stacks)
    workers = min(workers or os.cpu_count() or 1, max(1, len(names)))
    # Round-robin shares keep the workers' loads even (generated and real stacks vary little),
    # and a whole number of shares per worker keeps every core busy to the last round.
    rounds = -(-len(names) // (workers * STACKS_PER_WORKER))
    count = workers * rounds
    shares = [names[i::count] for i in range(count)]
    planned = map_parallel(
        lambda share: [plan_stack(topology, name) for name in share], shares, processes=workers
    )
    by_name = {plan.stack: plan for share in planned for plan in share}
    return {name: by_name[name] for name in names}


def plan_json(plans: dict[str, StackPlan]) -> dict[str, Any]:
    return {
        "stacks": {
            name: {
                "resourceCount": len(plan.resources),
                "counts": dict(plan.counts()),
                "resources": [r.as_json() for r in plan.resources],
            }
            for name, plan in plans.items()
        }
    }
