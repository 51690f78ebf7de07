"""Plan benchmark: simulated `dataplane plan` time for 10 to 1,000 listeners, resources per
second, and the depth of each stack's dependency graph.

Depth is the longest chain of resources that must be created one after another. It must not
grow with the number of listeners: listeners (and everything under them) deploy in parallel.
The second table puts every listener in ONE cluster and stack to show exactly that.
Run with `make bench-plan`.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate_topology
from benchmarks.timing import timed
from langsmith_dataplane.review.plan import plan_topology
from langsmith_dataplane.simulation import RecordedResource
from langsmith_dataplane.topology import parse_topology

SIZES = (10, 50, 100, 250, 500, 1000)
ONE_STACK_SIZES = (5, 10, 25, 50, 100)


def depth(resources: list[RecordedResource]) -> int:
    """Longest dependency chain among custom resources (explicit, implicit and provider edges)."""
    by_urn = {r.urn: r for r in resources}

    @cache
    def longest(urn: str) -> int:
        r = by_urn[urn]
        edges = {d for d in r.dependencies if d in by_urn}
        provider = r.provider.rsplit("::", 1)[0] if r.provider else ""
        if provider in by_urn:
            edges.add(provider)
        return 1 + max((longest(e) for e in edges), default=0)

    sys.setrecursionlimit(10_000)
    return max((longest(r.urn) for r in resources if r.custom), default=0)


def run(listeners: int, per_cluster: int) -> tuple[float, int, int, int]:
    model = parse_topology(generate_topology(listeners, listeners_per_cluster=per_cluster)).model
    seconds, plans = timed(lambda: plan_topology(model))
    resources = sum(len(p.resources) for p in plans.values())
    depths = [depth(list(p.simulated.resources)) for p in plans.values()]
    return seconds, resources, len(plans), max(depths)


def reference() -> None:
    """What `make plan` plans: the project's topology.yaml, every stack."""
    model = parse_topology((Path(__file__).resolve().parent.parent / "topology.yaml").read_text())
    seconds, plans = timed(lambda: plan_topology(model.model))
    resources = sum(len(p.resources) for p in plans.values())
    print(
        f"topology.yaml (make plan): {len(plans)} stacks, {resources} resources, {seconds:.1f} s\n"
    )


def main() -> int:
    reference()
    print("all stacks, ten listeners per cluster and stack")
    header = ("listeners", "stacks", "resources", "seconds", "res/s", "max depth")
    print(" ".join(f"{h:>9}" for h in header))
    for size in SIZES:
        seconds, resources, stacks, max_depth = run(size, 10)
        row = (size, stacks, resources, f"{seconds:.1f}", f"{resources / seconds:.0f}", max_depth)
        print(" ".join(f"{cell:>9}" for cell in row))
    print("\none stack: every listener in the same cluster")
    print(f"{'listeners':>9} {'resources':>9} {'seconds':>8} {'depth':>6}")
    depths = []
    for size in ONE_STACK_SIZES:
        seconds, resources, _, max_depth = run(size, size)
        depths.append(max_depth)
        print(f"{size:>9} {resources:>9} {seconds:>8.1f} {max_depth:>6}")
    flat = len(set(depths)) == 1
    verdict = "is constant" if flat else "GROWS"
    print(f"\ndependency depth {verdict} with the number of listeners: {depths}")
    return 0 if flat else 1


if __name__ == "__main__":
    sys.exit(main())
