"""The plan's cost per resource beside a bare Pulumi program's, in one process, alternating.

For each size, four programs run under the SAME mocks and monitor
(`simulation.run_under_mocks`), one after the other, several rounds:

* plan: the project's plan of a generated organisation (every stack, serially);
* floor: the same resources (types, names, parents, inputs) registered by a program with no
  logic (`replay.py`), which is what these resources cost the SDK whatever the program does;
* options: the floor with every custom resource's type and inputs swapped for a bare
  ConfigMap's (`replay.with_configmap_inputs`): the resources' options and components alone;
* bare: as many ConfigMaps as the plan has resources.

Each is timed by `timing.timed`, so no program pays for another's garbage.
Each round prints ms/resource for each and the ratios plan/bare, floor/bare, plan/floor,
floor/options (what the resources' inputs cost) and options/bare (what their options cost);
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
from benchmarks.replay import configmap_inputs, replay_program, with_configmap_inputs
from benchmarks.timing import timed
from langsmith_dataplane.simulation import RecordedResource, run_under_mocks, simulate
from langsmith_dataplane.topology import parse_topology

ROUNDS = 3


def bare(count: int) -> float:
    """Seconds for a program of `count` ConfigMaps, nothing else."""

    def program() -> pulumi.Input[dict]:
        for i in range(count):
            k8s.core.v1.ConfigMap(f"cm-{i}", **configmap_inputs(i))
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


def options(recorded: dict[str, list[RecordedResource]]) -> float:
    """Seconds to register the same resources with their options but a bare ConfigMap's type
    and inputs."""
    return floor({stack: with_configmap_inputs(r) for stack, r in recorded.items()})


def ratio(listeners: int, rounds: int = ROUNDS) -> float:
    print(f"{listeners} listeners (ms/resource; ratios)")
    rows = []
    for round_ in range(1, rounds + 1):
        seconds, recorded = project(listeners)
        count = sum(len(r) for r in recorded.values())
        least = floor(recorded)
        shape = options(recorded)
        baseline = bare(count)
        plan_ms, floor_ms, options_ms, bare_ms = (
            1000 * s / count for s in (seconds, least, shape, baseline)
        )
        rows.append(
            (
                plan_ms / bare_ms,
                floor_ms / bare_ms,
                plan_ms / floor_ms,
                floor_ms / options_ms,
                options_ms / bare_ms,
            )
        )
        print(
            f"  round {round_}: {count} resources; plan {plan_ms:.2f}, floor {floor_ms:.2f}, "
            f"options {options_ms:.2f}, bare {bare_ms:.2f}; {_ratios(rows[-1])}"
        )
    medians = [statistics.median(column) for column in zip(*rows, strict=True)]
    print(f"  median {_ratios(medians)}")
    return medians[0]


def _ratios(row: tuple[float, ...] | list[float]) -> str:
    names = ("plan/bare", "floor/bare", "plan/floor", "floor/options", "options/bare")
    return ", ".join(f"{name} {value:.2f}" for name, value in zip(names, row, strict=True))


def main(sizes: list[int], rounds: int = ROUNDS) -> int:
    for size in sizes:
        ratio(size, rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main([int(a) for a in sys.argv[1:]] or [50, 500]))
