"""Validate-time benchmark: topologies of 10 to 2,000 listeners. Prints one line per size.

Target: 1,000 listeners in under 0.2 s, growing linearly (the time per listener from 10 to
2,000 listeners is printed beside each size). Run with `make bench`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import contextlib

import yaml

from benchmarks.generate import generate_topology, generate_topology_data
from langsmith_dataplane.diagnostics import TopologyError
from langsmith_dataplane.topology import parse_topology

SIZES = (10, 100, 250, 500, 1000, 2000)
TARGET_SECONDS = 0.2
REPEATS = 5


def measure(listeners: int) -> tuple[float, int, int]:
    text = generate_topology(listeners)
    parse_topology(text)  # warm-up, and proof the generated file is valid
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        parse_topology(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times), len(text.splitlines()), len(text)


def bad_references(listeners: int) -> str:
    """Every listener names a misspelled cluster (`c12` -> `cl12x`): did-you-mean for each."""
    data = generate_topology_data(listeners)
    for listener in data["listeners"].values():
        listener["cluster"] = f"cl{listener['cluster'][1:]}x"
    return yaml.safe_dump(data, sort_keys=False)


def timed_errors(text: str) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        with contextlib.suppress(TopologyError):
            parse_topology(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    print(f"{'listeners':>9} {'lines':>7} {'bytes':>9} {'median s':>9} {'us/listener':>12}")
    results = {}
    for size in SIZES:
        seconds, lines, size_bytes = measure(size)
        results[size] = seconds
        print(f"{size:>9} {lines:>7} {size_bytes:>9} {seconds:>9.3f} {seconds / size * 1e6:>12.0f}")
    verdict = "meets" if results[1000] < TARGET_SECONDS else "MISSES"
    growth = results[2000] / results[1000]
    print(
        f"1,000 listeners: {results[1000]:.3f} s ({verdict} the {TARGET_SECONDS} s target); "
        f"2,000/1,000 = {growth:.2f}x"
    )
    bad = timed_errors(bad_references(1000))
    ratio = bad / results[1000]
    print(
        f"1,000 listeners with bad cluster references: {bad:.3f} s = {ratio:.2f}x the valid file "
        f"({'meets' if ratio <= 2 else 'MISSES'} the 2x target)"
    )
    return 0 if results[1000] < TARGET_SECONDS and ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
