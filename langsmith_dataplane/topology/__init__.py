"""The topology file: schema, loading with positions, LangSmith rules."""

from langsmith_dataplane.topology.schema import Topology
from langsmith_dataplane.topology.validate import ValidatedTopology, load_topology, parse_topology

__all__ = ["Topology", "ValidatedTopology", "load_topology", "parse_topology"]
