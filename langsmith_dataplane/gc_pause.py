"""Pause Python's cyclic garbage collector around work that makes many objects and frees them
by reference counting alone.

Validating a topology and simulating a stack allocate millions of short-lived objects but
leave almost no reference cycles (a 600-resource stack: 9 objects for the collector once it
ends). The collector still walks every live object each time allocations pass its
thresholds, which on a large plan is more than half the run. Paused, then restored; what
the block made and still holds is frozen first (`gc.freeze`), or the first collection after
it would walk all of it (a third of a second per simulated stack). Frozen objects are still
freed by reference counting; only a cycle among them would stay.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's earlier state afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
