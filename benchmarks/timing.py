"""One way every benchmark times a run: after collecting what earlier runs left frozen, and with
no collection of frozen garbage inside it.

`gc_pause` freezes what each simulation leaves and collects it only past `FROZEN_BUDGET`. In a
benchmark that runs many programs in one process, whichever run crossed the budget would pay for
all the others' garbage; and a program of many stacks (a serial plan of 50) would pay for a
collection of some 30 stacks' cycles (about 8 s) that a single-stack program of as many
resources (the bare ConfigMaps) never reaches, and that `dataplane plan` never pays either: its
workers take at most `STACKS_PER_WORKER` stacks, fewer than the budget holds, and exit instead.
So the budget is lifted while the run is timed, and what it left is collected before the next.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TypeVar

from langsmith_dataplane import gc_pause

T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[float, T]:
    """Seconds `work` took, and what it returned."""
    gc_pause.collect_frozen()
    budget = gc_pause.FROZEN_BUDGET
    gc_pause.FROZEN_BUDGET = sys.maxsize
    try:
        start = time.perf_counter()
        result = work()
        return time.perf_counter() - start, result
    finally:
        gc_pause.FROZEN_BUDGET = budget
