"""Where the floor's extra cost over bare ConfigMaps comes from: each resource type on its own.

The plan of `LISTENERS` generated listeners is recorded once; then, for each type with at least
`MIN_COUNT` resources, a program registers only that type's resources (`replay.py`, so through
the class the plan uses; parents, providers and dependencies outside the group are left out),
alternating with as many bare ConfigMaps. It prints ms/resource for both, their ratio (median of
`ROUNDS`) and the type's share of the whole floor. Run with `make bench-plan`.
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.plan_ratio import bare, project
from benchmarks.replay import replay_program
from benchmarks.timing import timed
from langsmith_dataplane.simulation import RecordedResource, run_under_mocks

LISTENERS = 50
MIN_COUNT = 20
ROUNDS = 3


def replayed(resources: list[RecordedResource]) -> float:
    """Seconds to register `resources` alone."""
    return timed(lambda: run_under_mocks("by-type", replay_program(resources)))[0]


def main(listeners: int = LISTENERS, min_count: int = MIN_COUNT, rounds: int = ROUNDS) -> int:
    _, recorded = project(listeners)
    by_type: dict[str, list[RecordedResource]] = defaultdict(list)
    for resources in recorded.values():
        for resource in resources:
            by_type[resource.type].append(resource)
    total = sum(len(group) for group in by_type.values())
    groups = sorted(
        (item for item in by_type.items() if len(item[1]) >= min_count),
        key=lambda item: -len(item[1]),
    )
    print(f"{listeners} listeners, {total} resources: each type alone beside bare ConfigMaps")
    print(f"{'count':>6} {'type ms':>8} {'bare ms':>8} {'x bare':>7} {'share':>6}  type")
    rows = []
    for type_, group in groups:
        ratios, own, base = [], [], []
        for _ in range(rounds):
            own.append(1000 * replayed(group) / len(group))
            base.append(1000 * bare(len(group)) / len(group))
            ratios.append(own[-1] / base[-1])
        rows.append((type_, len(group), statistics.median(own), statistics.median(base), ratios))
    floor_ms = sum(count * ms for _, count, ms, _, _ in rows)
    for type_, count, ms, base_ms, ratios in rows:
        print(
            f"{count:6d} {ms:8.2f} {base_ms:8.2f} {statistics.median(ratios):7.2f} "
            f"{count * ms / floor_ms:6.1%}  {type_}"
        )
    covered = sum(count for _, count, _, _, _ in rows)
    print(f"({covered} of {total} resources in types with at least {min_count})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
