"""The shipped example layouts validate and show what they claim to show."""

from __future__ import annotations

from langsmith_dataplane.topology import load_topology
from tests.helpers import EXAMPLES, REPO


def by_name(name: str):
    [path] = [p for p in EXAMPLES if p.name == name]
    return load_topology(path)


def test_there_is_one_example_per_documented_layout():
    assert {p.name for p in EXAMPLES} >= {
        "workspace-per-cluster.yaml",
        "namespace-per-workspace.yaml",
        "shared-dev-cluster.yaml",
    }


def test_every_example_validates_without_warnings():
    for path in EXAMPLES:
        assert load_topology(path).warnings == (), path


def test_workspace_per_cluster_gives_each_workspace_its_cluster():
    model = by_name("workspace-per-cluster.yaml").model
    clusters = {x.workspace: x.cluster for x in model.listeners.values()}
    assert len(set(clusters.values())) == len(model.workspaces) == 2


def test_namespace_per_workspace_uses_one_gateway_cluster():
    model = by_name("namespace-per-workspace.yaml").model
    assert len(model.clusters) == 1
    assert model.clusters["shared"].ingress == "gateway"
    assert {x.workspace for x in model.listeners.values()} == set(model.workspaces)


def test_shared_dev_cluster_has_every_workspace():
    model = by_name("shared-dev-cluster.yaml").model
    in_dev = {x.workspace for x in model.listeners.values() if x.cluster == "dev"}
    assert in_dev == set(model.workspaces)


def test_default_topology_validates():
    """The seed layouts declare a Postgres for two listeners without deployments: the only
    warnings (the stack creates nothing for them, and says so)."""
    warnings = load_topology(REPO / "topology.yaml").warnings
    assert [w.rule for w in warnings] == ["unused-postgres", "unused-postgres"]
