"""One stack's plan in a process of its own: `python -m langsmith_dataplane.review.plan_worker`.

Reads a pickled `(topology, stack)` from standard input and writes the pickled `StackPlan` to
standard output. `plan_topology` runs one per stack when a plan is large; a fresh interpreter
(not `fork`, not `multiprocessing`'s spawn, which re-runs the caller's main script) never shares
the Pulumi SDK's threads or event loop with another simulation. Only `plan_topology` talks to
it, over a pipe it opened itself.
"""

from __future__ import annotations

import pickle
import sys

from langsmith_dataplane.review.plan import plan_stack


def main() -> None:
    topology, stack = pickle.load(sys.stdin.buffer)
    pickle.dump(plan_stack(topology, stack), sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    main()
