"""Stacks' plans in a process of their own: `python -m langsmith_dataplane.review.plan_worker`.

Reads a pickled `(topology, [stack, ...])` from standard input and writes the pickled list of
`StackPlan`s to standard output. `plan_topology` runs one per core when a plan is large, each
with its share of the stacks (imports are paid once per worker); a fresh interpreter
(not `fork`, not `multiprocessing`'s spawn, which re-runs the caller's main script) never shares
the Pulumi SDK's threads or event loop with another simulation. Only `plan_topology` talks to
it, over a pipe it opened itself.
"""

from __future__ import annotations

import pickle
import sys

from langsmith_dataplane.review.plan import plan_stack


def main() -> None:
    topology, stacks = pickle.load(sys.stdin.buffer)  # our own parent's pipe
    plans = [plan_stack(topology, stack) for stack in stacks]
    pickle.dump(plans, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)


if __name__ == "__main__":
    main()
