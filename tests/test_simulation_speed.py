"""What makes the plan fast must not change what it says.

The recording monitor answers plain states without the SDK's serializer; `lifted` skips
`from_input` for plain values; the cyclic collector is paused around a simulation; the ratio
benchmark's floor replays recorded resources. Each is checked against the component that
decides: the SDK's own serializer, `Output.from_input`, and the recorded plan itself.
"""

from __future__ import annotations

import gc
import json
from typing import Any

import pulumi
from hypothesis import given
from hypothesis import strategies as st
from pulumi.runtime import rpc
from pulumi.runtime.sync_await import _sync_await

from benchmarks.replay import (
    CONFIGMAP_TYPE,
    configmap_inputs,
    replay_program,
    with_configmap_inputs,
)
from langsmith_dataplane.gc_pause import cyclic_gc_paused
from langsmith_dataplane.recording_monitor import _state_struct
from langsmith_dataplane.simulation import RecordedResource, run_under_mocks
from tests.helpers import REPO
from tests.sim import simulated, topology

SECRET = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}
scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=8)
values = st.recursive(
    scalars | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=6), inner, max_size=4)
        | st.builds(lambda v: {**SECRET, "value": v}, inner)
    ),
    max_leaves=20,
)


@given(state=st.dictionaries(st.text(max_size=8), values, max_size=6))
def test_the_fast_response_is_what_the_sdk_serializer_writes(state: dict[str, Any]):
    assert _state_struct(state) == _sync_await(rpc.serialize_properties(state, {}))


def test_a_state_holding_anything_else_goes_the_sdk_way():
    asset = pulumi.StringAsset("text")
    expected = _sync_await(rpc.serialize_properties({"a": asset}, {}))
    assert _state_struct({"a": asset}) == expected


def test_the_collector_is_paused_then_restored():
    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_frozen_garbage_is_collected_past_the_budget(monkeypatch):
    """Cycles left frozen are freed once a process holds more than the budget of them."""
    import weakref

    import langsmith_dataplane.gc_pause as gc_pause

    class Node:
        pass

    def leave_a_cycle() -> weakref.ref:
        with cyclic_gc_paused():
            node = Node()
            node.self = node  # type: ignore[attr-defined]
            ref = weakref.ref(node)
            del node  # garbage now, but a cycle: only the collector frees it
        return ref

    gc.unfreeze()
    try:
        monkeypatch.setattr(gc_pause, "FROZEN_BUDGET", 10**9)
        kept = leave_a_cycle()
        assert kept() is not None
        assert gc.get_freeze_count() > 0
        monkeypatch.setattr(gc_pause, "FROZEN_BUDGET", 0)
        freed = leave_a_cycle()
        assert kept() is None
        assert freed() is None
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()


def test_the_floor_registers_the_very_same_resources():
    """The benchmark's floor is only a floor if it registers what the plan registers."""
    path = REPO / "topology.yaml"
    for stack in sorted(topology(path).stacks):
        planned = simulated(path, stack).resources
        replayed, _ = run_under_mocks(stack, replay_program(planned))
        assert {r.urn: _identity(r) for r in replayed} == {r.urn: _identity(r) for r in planned}


def test_the_options_program_keeps_every_option_and_registers_bare_configmaps():
    path = REPO / "topology.yaml"
    stack = "prod-alpha"  # EKS: providers, components, parents and dependencies of every kind
    planned = simulated(path, stack).resources
    swapped_inputs = with_configmap_inputs(planned)
    replayed, _ = run_under_mocks(stack, replay_program(swapped_inputs))
    expected = [_shape(r) for r in swapped_inputs]
    assert sorted(map(_canonical, map(_shape, replayed))) == sorted(map(_canonical, expected))
    swapped = [r for r in expected if r[2] and r[-1] == _BARE]
    assert len(swapped) > len(planned) // 2
    assert {r[0] for r in swapped} >= {CONFIGMAP_TYPE, "aws:ec2/eip:Eip"}


_BARE = "a bare ConfigMap's inputs, or its own class's defaults"


def _canonical(shape: tuple) -> str:
    return json.dumps(shape, sort_keys=True, default=repr)


def _small(r: RecordedResource) -> bool:
    """Another package's custom resource given the ConfigMap's inputs: its typed class drops
    what it does not take and may add defaults of its own (e.g. a description)."""
    other = r.custom and not r.type.startswith(("kubernetes:", "pulumi:providers:"))
    return other and len(repr(r.inputs)) < 100


def _shape(r: RecordedResource) -> tuple:
    """What the options program must keep (URNs aside: a swapped type changes them)."""
    return (
        r.type,
        r.name,
        r.custom,
        r.protect,
        r.retain_on_delete,
        len(r.dependencies),
        bool(r.parent),
        bool(r.provider),
        _BARE if r.inputs.get("data") == configmap_inputs(0)["data"] or _small(r) else r.inputs,
    )


def _identity(r: RecordedResource) -> tuple:
    return (
        r.type,
        r.parent,
        r.inputs,
        r.provider,
        sorted(r.dependencies),
        r.aliases,
        r.protect,
        r.retain_on_delete,
    )
