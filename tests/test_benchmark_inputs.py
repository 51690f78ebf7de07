"""The benchmark's generated topologies stay valid, so `make bench` measures real validation."""

from benchmarks.generate import generate_topology
from langsmith_dataplane.topology import parse_topology


def test_generated_benchmark_topology_is_valid_and_sized():
    topology = parse_topology(generate_topology(30))
    assert len(topology.model.listeners) == 30
    assert len(topology.model.clusters) == 3
    assert topology.warnings == ()
