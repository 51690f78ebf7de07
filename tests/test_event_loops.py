"""A run under the mocks closes every event loop it made: none is left for a later collection."""

from __future__ import annotations

import gc
import sys
import threading
import warnings

from langsmith_dataplane.simulation import simulate
from langsmith_dataplane.topology import load_topology
from tests.helpers import REPO


def test_a_simulation_leaves_no_open_event_loop_to_the_collector(monkeypatch):
    """asyncio decides: a loop freed unclosed warns ("unclosed event loop"), and one freed after
    its self-pipe socket raises in its finaliser; neither may happen after a run."""
    unraisable: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: unraisable.append(repr(u.exc_value)))
    topology = load_topology(REPO / "topology.yaml").model
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        for stack in sorted(topology.stacks):  # every stack: invokes, reads and registrations
            simulate(topology, stack)
        assert threading.active_count() == 1  # the executor threads, and their loops, are gone
        gc.unfreeze()  # what the runs froze, their loops among it, is collected now
        gc.collect()
    unclosed = [str(w.message) for w in caught if "event loop" in str(w.message)]
    assert unclosed == []
    assert unraisable == []
