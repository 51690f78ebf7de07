"""Validate-time benchmark: topologies of 10 to 2,000 listeners. Prints one line per size.

Target: 1,000 listeners in under 1 s, growing linearly. Run with `make bench`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate_topology
from langsmith_dataplane.topology import parse_topology

SIZES = (10, 100, 250, 500, 1000, 2000)
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


def main() -> int:
    print(f"{'listeners':>9} {'lines':>7} {'bytes':>9} {'median s':>9} {'us/listener':>12}")
    results = {}
    for size in SIZES:
        seconds, lines, size_bytes = measure(size)
        results[size] = seconds
        print(f"{size:>9} {lines:>7} {size_bytes:>9} {seconds:>9.3f} {seconds / size * 1e6:>12.0f}")
    verdict = "meets" if results[1000] < 1.0 else "MISSES"
    growth = results[2000] / results[1000]
    print(
        f"1,000 listeners: {results[1000]:.3f} s ({verdict} the 1 s target); "
        f"2,000/1,000 = {growth:.2f}x"
    )
    return 0 if results[1000] < 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
