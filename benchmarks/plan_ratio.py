"""The plan's cost per resource beside a bare Pulumi program's, in one process, alternating.

For each size, the project's plan of a generated organisation (every stack, serially) and a
bare program registering the same number of ConfigMaps run under the SAME mocks and monitor
(`simulation.run_under_mocks`), one after the other, several rounds; each round prints both
ms/resource and their ratio, then the median ratio. Run with `make bench-plan`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi
import pulumi_kubernetes as k8s

from benchmarks.generate import generate_topology
from langsmith_dataplane.simulation import run_under_mocks, simulate
from langsmith_dataplane.topology import parse_topology

ROUNDS = 3


def bare(count: int) -> float:
    """Seconds for a program of `count` ConfigMaps, nothing else."""

    def program() -> pulumi.Input[dict]:
        for i in range(count):
            k8s.core.v1.ConfigMap(
                f"cm-{i}", metadata={"name": f"cm-{i}", "namespace": "bare"}, data={"k": "v"}
            )
        return {}

    start = time.perf_counter()
    resources, _ = run_under_mocks("bare", program)
    assert len(resources) == count
    return time.perf_counter() - start


def project(listeners: int) -> tuple[float, int]:
    """Seconds and resources of the plan of `listeners` listeners (ten per cluster and stack)."""
    model = parse_topology(generate_topology(listeners, listeners_per_cluster=10)).model
    start = time.perf_counter()
    count = sum(len(simulate(model, stack).resources) for stack in sorted(model.stacks))
    return time.perf_counter() - start, count


def ratio(listeners: int) -> float:
    print(f"{listeners} listeners")
    ratios = []
    for round_ in range(1, ROUNDS + 1):
        seconds, count = project(listeners)
        baseline = bare(count)
        ours, theirs = 1000 * seconds / count, 1000 * baseline / count
        ratios.append(ours / theirs)
        print(
            f"  round {round_}: {count} resources; plan {ours:.2f} ms/resource, bare "
            f"{theirs:.2f} ms/resource, ratio {ours / theirs:.2f}"
        )
    median = statistics.median(ratios)
    print(f"  median ratio {median:.2f}")
    return median


def main(sizes: list[int]) -> int:
    for size in sizes:
        ratio(size)
    return 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [50, 500]))
