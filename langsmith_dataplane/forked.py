"""Work in child processes forked from this one, a few at a time: the plan's stacks on every core.

A forked child starts with everything this process has imported and built (the Pulumi SDK, the
validated topology) instead of paying a fresh interpreter's second of imports and a pickled
copy of its input, and shares this process's memory until it writes. Forking is only safe from
a single-threaded process: another thread may hold a lock the child would then wait on forever.
`fork_is_safe` says whether this process is one (a simulation joins its event loop's threads
when it ends), and callers do the work in-process when it is not.

Each child sends back its pickled result, or the traceback of what it raised, over a pipe only
this process reads, and leaves with `os._exit`: it never runs this process's exit handlers or
flushes a copy of its output buffers.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import selectors
import signal
import sys
import threading
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from langsmith_dataplane.gc_pause import cyclic_gc_paused

T = TypeVar("T")
R = TypeVar("R")

_READ_SIZE = 1 << 20


class WorkerError(RuntimeError):
    """A child raised (the message holds its traceback) or died without an answer."""


def fork_is_safe() -> bool:
    """This process can fork: the platform has `fork` and no thread but this one runs."""
    return hasattr(os, "fork") and threading.active_count() == 1


@dataclass
class _Child(Generic[R]):
    index: int
    pid: int
    fd: int
    received: bytearray = field(default_factory=bytearray)

    def result(self) -> R:
        """Reap the child; what it sent back, or `WorkerError`."""
        _, status = os.waitpid(self.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0 or not self.received:
            how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
            raise WorkerError(f"worker {self.index} {how} before it answered")
        with cyclic_gc_paused():  # the collector would walk the growing result again and again
            succeeded, payload = pickle.loads(self.received)  # our own child's pipe
        if not succeeded:
            raise WorkerError(f"worker {self.index} failed:\n{payload}")
        return payload

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def map_parallel(
    work: Callable[[T], R], items: Sequence[T], *, processes: int | None = None
) -> list[R]:
    """`work(item)` for every item, the results in the items' order: in forked children,
    `processes` at a time (default: one per core), when there are two items and two cores or
    more and forking is safe; here, one after another, otherwise."""
    processes = min(processes or os.cpu_count() or 1, len(items))
    if processes <= 1 or not fork_is_safe():
        return [work(item) for item in items]
    return map_forked(work, items, processes=processes)


def map_forked(work: Callable[[T], R], items: Sequence[T], *, processes: int) -> list[R]:
    """`work(item)` for every item, each in a child of its own, at most `processes` at once;
    the results in the items' order. The first failure stops the other children and raises
    `WorkerError`. Needs `fork_is_safe()`."""
    if not fork_is_safe():
        raise RuntimeError("map_forked needs a single-threaded process with os.fork")
    pending = deque(enumerate(items))
    running: dict[int, _Child[R]] = {}  # by the read end of its pipe
    results: dict[int, R] = {}
    selector = selectors.DefaultSelector()
    try:
        while pending or running:
            while pending and len(running) < max(1, processes):
                index, item = pending.popleft()
                child: _Child[R] = _start(work, index, item, inherited=list(running))
                running[child.fd] = child
                selector.register(child.fd, selectors.EVENT_READ)
            for key, _ in selector.select():
                child = running[key.fd]
                chunk = os.read(key.fd, _READ_SIZE)
                if chunk:
                    child.received += chunk
                    continue
                selector.unregister(key.fd)
                os.close(key.fd)
                del running[key.fd]
                results[child.index] = child.result()
    finally:
        for child in running.values():
            child.stop()
        selector.close()
    return [results[index] for index in range(len(items))]


def _start(work: Callable[[T], R], index: int, item: T, *, inherited: list[int]) -> _Child[R]:
    for stream in (sys.stdout, sys.stderr):  # or the child would write this buffer out again
        stream.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns (coverage: parent)
        os.close(read_end)
        for fd in inherited:  # the pipes of the children started before this one
            os.close(fd)
        _answer(work, item, write_end)
    os.close(write_end)
    return _Child(index, pid, read_end)


def _answer(work: Callable[[T], R], item: T, write_end: int) -> None:  # pragma: no cover
    """The child: do the work, send the result or the traceback, exit without cleanup."""
    code = 1
    try:
        # Ctrl-C reaches the whole process group: the parent reports it, once.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:  # pickled before anything is sent: a result that cannot be is a traceback too
            payload = pickle.dumps((True, work(item)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            payload = pickle.dumps((False, traceback.format_exc()))
        with open(write_end, "wb") as pipe:
            pipe.write(payload)
        code = 0
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)
