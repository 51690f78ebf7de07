"""Work in forked children: results in order, failures named, nothing left running."""

from __future__ import annotations

import os
import signal
import threading

import psutil
import pytest

from langsmith_dataplane.forked import WorkerError, fork_is_safe, map_forked, map_parallel


def no_children_left() -> bool:
    return not psutil.Process().children(recursive=True)


def test_results_come_back_in_the_items_order_from_other_processes():
    results = map_forked(lambda n: (n * n, os.getpid()), list(range(7)), processes=3)
    assert [square for square, _ in results] == [n * n for n in range(7)]
    assert os.getpid() not in {pid for _, pid in results}
    assert no_children_left()


def test_answers_larger_than_a_pipe_buffer_arrive_whole():
    results = map_forked(lambda n: bytes([n]) * 5_000_000, [1, 2, 3], processes=3)
    assert [len(r) for r in results] == [5_000_000] * 3
    assert [r[-1] for r in results] == [1, 2, 3]


def test_a_failing_item_raises_with_the_childs_traceback_and_stops_the_others():
    def work(n: int) -> int:
        if n == 0:
            raise ValueError("stack 'prod' cannot be planned")
        signal.pause()  # the others would never end by themselves
        return n

    with pytest.raises(WorkerError) as failure:
        map_forked(work, [0, 1, 2], processes=3)
    assert "ValueError: stack 'prod' cannot be planned" in str(failure.value)
    assert "Traceback" in str(failure.value)
    assert no_children_left()


def test_a_child_that_dies_is_reported_by_its_signal():
    def work(n: int) -> int:
        os.kill(os.getpid(), signal.SIGKILL)
        return n

    with pytest.raises(WorkerError, match="worker 0 was killed by signal 9"):
        map_forked(work, [0], processes=1)
    assert no_children_left()


def test_a_result_that_cannot_be_pickled_is_a_failure_not_a_hang():
    with pytest.raises(WorkerError, match="pickle"):
        map_forked(lambda n: threading.Lock(), [0], processes=1)


def test_output_buffered_before_the_fork_is_written_once(capfd):
    print("before the fork", end="")
    map_forked(lambda n: n, [0, 1], processes=2)
    print()
    assert capfd.readouterr().out == "before the fork\n"


def test_it_refuses_to_fork_while_another_thread_runs():
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not fork_is_safe()
        with pytest.raises(RuntimeError, match="single-threaded"):
            map_forked(lambda n: n, [0], processes=1)
    finally:
        stop.set()
        other.join()
    assert fork_is_safe()


def test_map_parallel_forks_only_when_it_can_gain():
    here = os.getpid()
    assert map_parallel(lambda n: os.getpid(), [0]) == [here]  # one item
    assert map_parallel(lambda n: os.getpid(), [0, 1], processes=1) == [here, here]
    assert here not in map_parallel(lambda n: os.getpid(), [0, 1], processes=2)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert map_parallel(lambda n: os.getpid(), [0, 1], processes=2) == [here, here]
    finally:
        stop.set()
        other.join()
