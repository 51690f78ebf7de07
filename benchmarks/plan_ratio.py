"""The plan's cost per resource beside a bare Pulumi program's, in one process, alternating.

For each size, three programs run under the SAME mocks and monitor
(`simulation.run_under_mocks`), one after the other, several rounds:

* plan: the project's plan of a generated organisation (every stack, serially);
* floor: the same resources (types, names, parents, inputs) registered by a program with no
  logic (`replay.py`), which is what these resources cost the SDK whatever the program does;
* bare: as many ConfigMaps as the plan has resources.

Each is timed by `timing.timed`, so no program pays for another's garbage.
Each round prints ms/resource for each and the ratios plan/bare, floor/bare and plan/floor;
then the medians. Run with `make bench-plan`.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pulumi
import pulumi_kubernetes as k8s

from benchmarks.generate import generate_topology
from benchmarks.replay import replay_program
from benchmarks.timing import timed
from langsmith_dataplane.simulation import RecordedResource, run_under_mocks, simulate
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

    seconds, (resources, _) = timed(lambda: run_under_mocks("bare", program))
    assert len(resources) == count
    return seconds


def project(listeners: int) -> tuple[float, dict[str, list[RecordedResource]]]:
    """Seconds of the plan of `listeners` listeners (ten per cluster and stack), and what each
    stack registered."""
    model = parse_topology(generate_topology(listeners, listeners_per_cluster=10)).model
    return timed(
        lambda: {stack: simulate(model, stack).resources for stack in sorted(model.stacks)}
    )


def floor(recorded: dict[str, list[RecordedResource]]) -> float:
    """Seconds to register the same resources with no program logic."""

    def program() -> None:
        for stack, resources in recorded.items():
            replayed, _ = run_under_mocks(stack, replay_program(resources))
            assert len(replayed) == len(resources)

    return timed(program)[0]


def ratio(listeners: int) -> float:
    print(f"{listeners} listeners (ms/resource; ratios)")
    rows = []
    for round_ in range(1, ROUNDS + 1):
        seconds, recorded = project(listeners)
        count = sum(len(r) for r in recorded.values())
        least = floor(recorded)
        baseline = bare(count)
        plan_ms, floor_ms, bare_ms = (1000 * s / count for s in (seconds, least, baseline))
        rows.append((plan_ms / bare_ms, floor_ms / bare_ms, plan_ms / floor_ms))
        print(
            f"  round {round_}: {count} resources; plan {plan_ms:.2f}, floor {floor_ms:.2f}, "
            f"bare {bare_ms:.2f}; plan/bare {rows[-1][0]:.2f}, floor/bare {rows[-1][1]:.2f}, "
            f"plan/floor {rows[-1][2]:.2f}"
        )
    medians = [statistics.median(column) for column in zip(*rows, strict=True)]
    print(
        f"  median plan/bare {medians[0]:.2f}, floor/bare {medians[1]:.2f}, "
        f"plan/floor {medians[2]:.2f}"
    )
    return medians[0]


def main(sizes: list[int]) -> int:
    for size in sizes:
        ratio(size)
    return 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [50, 500]))
