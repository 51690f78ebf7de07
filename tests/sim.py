"""Cached simulations of the shipped topologies, shared by the component tests."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from langsmith_dataplane.recording_monitor import RecordingMonitor
from langsmith_dataplane.simulation import Secret, SimulatedStack, run_under_mocks, simulate
from langsmith_dataplane.topology import load_topology, parse_topology
from tests.helpers import EXAMPLES, REPO

TOPOLOGY_FILES = [REPO / "topology.yaml", *EXAMPLES]
RELEASE = "kubernetes:helm.sh/v3:Release"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
PLANTED_KEY = "lsv2_pt_planted0000000000000000000000000_deadbeef00"


@cache
def topology(path: Path):
    return load_topology(path).model


@cache
def simulated(path: Path, stack: str) -> SimulatedStack:
    model = topology(path)
    names = [w.api_key for w in model.workspaces.values()] + [model.control_plane.admin_key]
    keys = {name: PLANTED_KEY for name in names if name is not None}
    return simulate(model, stack, api_keys=keys)


def simulated_text(text: str, stack: str) -> SimulatedStack:
    return simulate(parse_topology(text).model, stack)


def all_stacks() -> list[tuple[Path, str]]:
    return [(path, stack) for path in TOPOLOGY_FILES for stack in topology(path).stacks]


def listener_releases(sim: SimulatedStack):
    """The `langgraph-dataplane` releases (a Listener component's child)."""
    return [r for r in sim.by_type(RELEASE) if "langsmith:index:Listener$" in r.urn]


def agent_server_releases(sim: SimulatedStack):
    """The `langgraph-cloud` releases (an AgentServer component's child)."""
    return [r for r in sim.by_type(RELEASE) if "langsmith:index:AgentServer$" in r.urn]


def plain_strings(value: Any):
    """Every string in `value` that is NOT inside a secret."""
    if isinstance(value, Secret):
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from plain_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from plain_strings(v)


def registrations(monkeypatch: pytest.MonkeyPatch, program: Callable[[], Any]) -> list[Any]:
    """Every RegisterResource request `program` sends under the mocks, as the monitor gets it
    (not what it keeps of it)."""
    requests: list[Any] = []
    register = RecordingMonitor.RegisterResource

    def capture(self: RecordingMonitor, request: Any) -> Any:
        requests.append(request)
        return register(self, request)

    monkeypatch.setattr(RecordingMonitor, "RegisterResource", capture)
    run_under_mocks("test", program)
    return requests
