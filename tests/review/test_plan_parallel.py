"""Stacks planned in worker processes give exactly the serial plan, in the same order."""

from __future__ import annotations

import json

from benchmarks.generate import generate_topology
from langsmith_dataplane.review.plan import PARALLEL_WORKLOADS, plan_json, plan_topology
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
