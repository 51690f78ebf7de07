"""The event loops of a run under Pulumi's mocks, from creation to close.

The SDK runs a program on the thread's event loop and calls the monitor from the loop's executor
threads, where its mock monitor makes each thread a loop of its own and never closes it. A
selector loop is a reference cycle (its self-pipe handle points back at it), so an unclosed one
is freed by some later collection, in any order with its socket: then `close()` in its finaliser
fails on a socket already closed ("Invalid file descriptor: -1"). So every loop of a run is
made and closed here: the run's own by `simulation_loop`, its worker threads' by
`worker_thread_loop` (the monitor calls it first on each call) and closed when the run ends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager

# The idle loop the last simulation left as the main thread's loop (see `simulation_loop`).
_idle_loop: asyncio.AbstractEventLoop | None = None
# Loops made for worker threads during the current run; closed when it ends. (Threads append
# to it; a list's append is atomic.)
_worker_loops: list[asyncio.AbstractEventLoop] = []


def worker_thread_loop() -> asyncio.AbstractEventLoop:
    """This thread's event loop, made (and recorded, to be closed with the run) if it has none:
    what the SDK's `_ensure_event_loop` would make, but never left open."""
    try:
        return asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:  # a thread other than the main one, without a loop yet
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        _worker_loops.append(loop)
        return loop


@contextmanager
def simulation_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """A new event loop for one run under the mocks, made the thread's loop (the SDK takes that
    one, from `set_mocks` on). When the run ends, the loop's executor threads are joined, their
    loops and it are closed, so the process is single-threaded again and `plan_topology` may fork
    workers from it; the thread is left a fresh, idle loop, which starts no thread, for code that
    expects one (`set_mocks`). Whatever runs Pulumi's mocks runs them inside one, the tests' own
    runs too."""
    global _idle_loop
    if _idle_loop is not None:
        _idle_loop.close()  # nothing ran on it (in a forked worker: this process's copy)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        try:
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()
            _close_worker_loops()
            _idle_loop = asyncio.new_event_loop()
            asyncio.set_event_loop(_idle_loop)


def _close_worker_loops() -> None:
    """Close the worker threads' loops; their threads have ended (or sit idle), none runs."""
    while _worker_loops:
        loop = _worker_loops.pop()
        if not loop.is_running():  # only if joining the threads failed
            loop.close()
