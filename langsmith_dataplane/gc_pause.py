"""Pause Python's cyclic garbage collector around work that makes many objects and frees most
of them by reference counting alone.

Validating a topology and simulating a stack allocate millions of short-lived objects. The
collector walks every live object each time allocations pass its thresholds, which on a large
plan is more than half the run. Paused, then restored; what the block made and still holds is
frozen first (`gc.freeze`), or the first collection after it would walk all of it (a third of a
second per simulated stack). Frozen objects are still freed by reference counting, but not
cycles among them, and the Pulumi SDK leaves many (its Tasks and Outputs, a closure per
`contains_unknowns` call): about 200,000 objects, 25 MB, per 600-resource stack. So a process
keeps at most about `FROZEN_BUDGET` frozen objects; past it, one full collection frees those
cycles (about 0.3 s per stack's worth: the price of freeing them at all). The plan's workers
take few enough stacks each never to reach it.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# About 750 MB of frozen garbage: some 30 simulated stacks.
FROZEN_BUDGET = 6_000_000

# Objects frozen since the last full collection, as counted when each block ended
# (`gc.get_freeze_count` would walk every one of them: seconds per plan of 100 stacks).
_frozen = 0


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's earlier state afterwards."""
    global _frozen
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # With the collector paused, the youngest generation's count is the objects the block
        # made and kept: what `freeze` is about to move.
        _frozen += gc.get_count()[0]
        gc.freeze()
        if _frozen > FROZEN_BUDGET:
            collect_frozen()
        if enabled:
            gc.enable()


def collect_frozen() -> None:
    """Free the cycles among what earlier blocks froze, now. A benchmark calls it between
    timed runs, so no run pays for another's garbage (the plan's workers exit instead)."""
    global _frozen
    _frozen = 0
    gc.unfreeze()
    gc.collect()
