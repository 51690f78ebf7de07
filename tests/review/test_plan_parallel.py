"""Stacks planned in worker processes give exactly the serial plan, in the same order."""

from __future__ import annotations

import json

from benchmarks.generate import generate_topology
from langsmith_dataplane.review import plan
from langsmith_dataplane.review.plan import (
    PARALLEL_WORKLOADS,
    STACKS_PER_WORKER,
    plan_json,
    plan_topology,
)
from langsmith_dataplane.topology import parse_topology


def test_parallel_plan_equals_the_serial_plan():
    model = parse_topology(generate_topology(20, listeners_per_cluster=10)).model
    serial = plan_topology(model, workers=1)
    parallel = plan_topology(model, workers=2)
    assert list(parallel) == list(serial) == sorted(model.stacks)
    as_text = [json.dumps(plan_json(p), sort_keys=True, default=repr) for p in (serial, parallel)]
    assert as_text[0] == as_text[1]


def test_small_plans_stay_in_process():
    assert PARALLEL_WORKLOADS > 6  # topology.yaml's six listeners plan serially (no ~2 s spawn)


def test_a_worker_takes_at_most_its_share_of_stacks(monkeypatch):
    """A worker keeps the SDK's cyclic garbage frozen (`gc_pause`): it gets few enough stacks
    to stay under the budget, however many stacks the plan has, and every worker as many
    shares as the others, so no core idles through a last round."""
    model = parse_topology(generate_topology(1000, listeners_per_cluster=10)).model
    shares: list[list[str]] = []

    def planned_elsewhere(topology, stacks):
        shares.append(list(stacks))
        return [plan.StackPlan(name, (), None) for name in stacks]  # type: ignore[arg-type]

    monkeypatch.setattr(plan, "_plan_in_process", planned_elsewhere)
    plans = plan_topology(model, workers=2)
    assert list(plans) == sorted(model.stacks)
    assert len(shares) > 2
    assert len(shares) % 2 == 0
    assert max(len(s) for s in shares) <= STACKS_PER_WORKER
    assert sorted(n for s in shares for n in s) == sorted(model.stacks)
