"""What the SDK's call-site capture costs a simulated plan, and the bare program.

`run_under_mocks` skips the capture (`langsmith_dataplane/call_sites.py`). This runs, in one
process and alternating, the plan of a generated organisation and the bare program of
`plan_ratio.py` with the skip (as `dataplane plan` runs) and with the SDK's capture, and prints
ms/resource for each and the ratio skipped/captured per round, then the medians. The ratio is
the point: the machine is noisy, the two sides of a round ran seconds apart. Part of
`make bench-plan`.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.plan_ratio import bare, project
from langsmith_dataplane import simulation

ROUNDS = 3
LISTENERS = 50
SKIP = simulation.call_sites_skipped  # what `run_under_mocks` enters


def measure(listeners: int, skipping: bool) -> tuple[float, float]:
    """ms/resource of the plan and of the bare program, with or without the skip."""
    simulation.call_sites_skipped = (  # type: ignore[assignment]  # swapped for this benchmark
        SKIP if skipping else contextlib.nullcontext
    )
    try:
        seconds, recorded = project(listeners)
        count = sum(len(r) for r in recorded.values())
        baseline = bare(count)
    finally:
        simulation.call_sites_skipped = SKIP  # type: ignore[assignment]
    return 1000 * seconds / count, 1000 * baseline / count


def main(listeners: int = LISTENERS, rounds: int = ROUNDS) -> int:
    print(f"{listeners} listeners: call sites skipped vs captured (ms/resource; ratios)")
    plan_ratios, bare_ratios = [], []
    for round_ in range(1, rounds + 1):
        plan_skip, bare_skip = measure(listeners, skipping=True)
        plan_capture, bare_capture = measure(listeners, skipping=False)
        plan_ratios.append(plan_skip / plan_capture)
        bare_ratios.append(bare_skip / bare_capture)
        print(
            f"  round {round_}: plan {plan_skip:.2f} vs {plan_capture:.2f} "
            f"({plan_ratios[-1]:.2f}x); bare {bare_skip:.2f} vs {bare_capture:.2f} "
            f"({bare_ratios[-1]:.2f}x)"
        )
    print(
        f"  median skipped/captured: plan {statistics.median(plan_ratios):.2f}x, "
        f"bare {statistics.median(bare_ratios):.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
