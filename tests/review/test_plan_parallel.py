"""Stacks planned (and diffed) in forked workers give exactly the serial result, in order."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from unittest import mock

import pytest

from benchmarks.generate import generate_topology
from langsmith_dataplane import forked
from langsmith_dataplane.review import plan
from langsmith_dataplane.review.diff import diff_topologies
from langsmith_dataplane.review.plan import STACKS_PER_WORKER, plan_json, plan_topology
from langsmith_dataplane.topology import parse_topology

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shares(monkeypatch) -> list[list[str]]:
    """The shares `plan_topology` handed to forked workers (the workers still run)."""
    seen: list[list[str]] = []

    fork = forked.map_forked

    def spy(work, items, *, processes):
        seen.extend(list(share) for share in items)
        return fork(work, items, processes=processes)

    monkeypatch.setattr(forked, "map_forked", spy)
    return seen


# Run in a fresh interpreter: this one may have other tests' threads (the fake APIs' servers),
# and a process with a thread besides the main one never forks.
# Spies on the forks of a fresh interpreter; the script it starts prints `calls` (the items of
# each `map_forked` call) beside its result.
SPY = """
import dataclasses, json
from benchmarks.generate import generate_topology
from langsmith_dataplane import forked
from langsmith_dataplane.topology import parse_topology

calls = []
fork = forked.map_forked
def spy(work, items, *, processes):
    calls.append(list(items))
    return fork(work, items, processes=processes)

forked.map_forked = spy
"""

FORKED_PLAN = """
from langsmith_dataplane.review import plan
model = parse_topology(generate_topology(20, listeners_per_cluster=10)).model
plans = plan.plan_topology(model, workers=2)
print(json.dumps({"calls": calls, "result": plan.plan_json(plans)}, sort_keys=True, default=repr))
"""


def run_fresh(script: str) -> dict:
    """`SPY` then `script` in a fresh interpreter: what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", SPY + script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(done.stdout)


def test_parallel_plan_equals_the_serial_plan():
    model = parse_topology(generate_topology(20, listeners_per_cluster=10)).model
    serial = plan_topology(model, workers=1)
    forked_run = run_fresh(FORKED_PLAN)
    shares = [share for call in forked_run["calls"] for share in call]
    assert sorted(name for share in shares for name in share) == sorted(model.stacks)
    assert len(shares) == 2  # it did fork, one worker per share
    assert list(serial) == sorted(model.stacks)
    serial_json = json.loads(json.dumps(plan_json(serial), sort_keys=True, default=repr))
    assert forked_run["result"] == serial_json


def test_a_simulation_leaves_no_thread_behind():
    """What makes forking safe after a plan: the SDK's event loop threads are joined."""
    model = parse_topology(generate_topology(10, listeners_per_cluster=10)).model
    before = set(threading.enumerate())
    plan_topology(model, workers=1)
    assert set(threading.enumerate()) == before


def test_with_another_thread_running_the_plan_stays_in_process(shares):
    model = parse_topology(generate_topology(20, listeners_per_cluster=10)).model
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        plans = plan_topology(model, workers=2)
    finally:
        stop.set()
        other.join()
    assert not shares
    assert list(plans) == sorted(model.stacks)


def test_a_worker_takes_at_most_its_share_of_stacks(monkeypatch):
    """A worker keeps the SDK's cyclic garbage frozen (`gc_pause`): it gets few enough stacks
    to stay under the budget, however many stacks the plan has, and every worker as many
    shares as the others, so no core idles through a last round."""
    model = parse_topology(generate_topology(1000, listeners_per_cluster=10)).model
    shares: list[list[str]] = []

    def planned_elsewhere(work, items, *, processes=None):
        assert processes == 2
        shares.extend(list(share) for share in items)
        return [[plan.StackPlan(name, (), None) for name in share] for share in items]  # type: ignore[arg-type]

    monkeypatch.setattr(plan, "map_parallel", planned_elsewhere)
    plans = plan_topology(model, workers=2)
    assert list(plans) == sorted(model.stacks)
    assert len(shares) > 2
    assert len(shares) % 2 == 0
    assert max(len(s) for s in shares) <= STACKS_PER_WORKER
    assert sorted(n for s in shares for n in s) == sorted(model.stacks)


FORKED_DIFF = """
from langsmith_dataplane.review.diff import diff_topologies
base = parse_topology(generate_topology(20, listeners_per_cluster=5)).model
head = parse_topology(generate_topology(30, listeners_per_cluster=5)).model
diff = diff_topologies(base, head)
print(json.dumps({"calls": calls, "result": dataclasses.asdict(diff)}, sort_keys=True, default=repr))
"""


def test_a_diff_of_several_stacks_forked_equals_the_serial_diff():
    base = parse_topology(generate_topology(20, listeners_per_cluster=5)).model
    head = parse_topology(generate_topology(30, listeners_per_cluster=5)).model
    with mock.patch.object(forked, "fork_is_safe", return_value=False):
        serial = diff_topologies(base, head)
    forked_run = run_fresh(FORKED_DIFF)
    [forked_stacks] = forked_run["calls"]  # one map over the affected stacks
    assert len(forked_stacks) >= 2
    assert len(serial.affected_stacks) >= 2
    expected = json.loads(json.dumps(dataclasses.asdict(serial), sort_keys=True, default=repr))
    assert forked_run["result"] == expected
