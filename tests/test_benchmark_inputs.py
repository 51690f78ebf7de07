"""The benchmark's generated topologies stay valid, so `make bench` measures real validation."""

from benchmarks.generate import generate_topology
from langsmith_dataplane.topology import parse_topology


def test_generated_benchmark_topology_is_valid_and_sized():
    topology = parse_topology(generate_topology(30))
    assert len(topology.model.listeners) == 30
    assert len(topology.model.clusters) == 3
    assert topology.warnings == ()


def test_floor_by_type_prints_every_large_type_and_their_shares(capsys):
    from benchmarks.floor_by_type import main

    assert main(listeners=2, min_count=5, rounds=1) == 0
    lines = capsys.readouterr().out.splitlines()
    rows = [line for line in lines if line.rstrip().endswith("NetworkPolicy")]
    assert len(rows) == 1
    shares = [float(line.split()[4].rstrip("%")) for line in lines[2:-1]]
    assert abs(sum(shares) - 100) < 0.5
    assert lines[-1].startswith("(")
    assert "resources in types with at least 5" in lines[-1]


def test_call_site_cost_prints_both_sides_and_puts_the_skip_back(capsys):
    from benchmarks.call_site_cost import SKIP, main
    from langsmith_dataplane import simulation

    assert main(listeners=2, rounds=2) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0].strip() for line in lines[1:3]] == ["round 1", "round 2"]
    assert all(" vs " in line and "x); bare " in line for line in lines[1:3])
    assert lines[-1].startswith("  median skipped/captured: plan ")
    assert simulation.call_sites_skipped is SKIP


def test_plan_ratio_prints_every_program_and_the_medians(capsys):
    from benchmarks.plan_ratio import main

    assert main([2], rounds=2) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0].strip() for line in lines[1:3]] == ["round 1", "round 2"]
    for line in lines[1:3]:
        assert all(f"{program} " in line for program in ("plan", "floor", "options", "bare"))
    names = ("plan/bare", "floor/bare", "plan/floor", "floor/options", "options/bare")
    assert [part.split()[0] for part in lines[-1].removeprefix("  median ").split(", ")] == list(
        names
    )


def test_a_timed_run_collects_no_frozen_garbage_and_puts_the_budget_back(monkeypatch):
    """A program of many stacks must not pay, inside its timing, for a collection that a
    single-stack program of as many resources never reaches."""
    from benchmarks.timing import timed
    from langsmith_dataplane import gc_pause
    from langsmith_dataplane.gc_pause import cyclic_gc_paused

    collections = []
    monkeypatch.setattr(gc_pause, "FROZEN_BUDGET", 0)  # every block would collect
    monkeypatch.setattr(gc_pause, "collect_frozen", lambda: collections.append(1))

    def blocks() -> int:
        for _ in range(3):
            with cyclic_gc_paused():
                [object() for _ in range(100)]
        return len(collections)

    seconds, inside = timed(blocks)
    assert seconds >= 0
    assert inside == 1  # the one before the run, none within it
    assert gc_pause.FROZEN_BUDGET == 0
