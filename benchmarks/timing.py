"""One way every benchmark times a run: after collecting what earlier runs left frozen.

`gc_pause` freezes what each simulation leaves and collects it only past `FROZEN_BUDGET`; in a
benchmark that runs many programs in one process, whichever run crossed the budget would pay
for all the others' garbage. `dataplane plan` runs one plan per process (its workers exit), so
a run timed here starts as clean as that.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from langsmith_dataplane.gc_pause import collect_frozen

T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[float, T]:
    """Seconds `work` took, and what it returned."""
    collect_frozen()
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result
