"""Generate large, valid topologies for benchmarks: N listeners, ten per cluster."""

from __future__ import annotations

import uuid

import yaml


def _cluster(index: int) -> dict:
    if index % 2:
        node_group = {"instanceType": "m6i.2xlarge", "minSize": 2, "maxSize": 6}
        eks = {"region": "us-east-1", "version": "1.33", "nodeGroups": {"general": node_group}}
        return {"eks": eks, "ingress": "gateway"}
    return {"existing": {"context": f"c{index}"}, "ingress": "gateway"}


def generate_topology_data(listeners: int, listeners_per_cluster: int = 10) -> dict:
    """Odd clusters are EKS with RDS and ElastiCache; even ones are existing, in-cluster stores."""
    clusters = max(1, -(-listeners // listeners_per_cluster))
    workspaces = {
        f"ws{i}": {"id": str(uuid.UUID(int=i + 1)), "apiKey": f"ws{i}.apiKey"}
        for i in range(max(1, listeners // 5))
    }
    names = list(workspaces)
    data: dict = {
        "version": 1,
        "controlPlane": {"region": "us"},
        "workspaces": workspaces,
        "clusters": {f"c{c}": _cluster(c) for c in range(clusters)},
        "listeners": {},
        "egress": {"allow": [{"name": "llm", "cidrs": ["203.0.113.0/24"], "ports": [443]}]},
        "stacks": {
            f"s{c}": {"clusters": [f"c{c}"], "protect": bool(c % 2)} for c in range(clusters)
        },
    }
    for i in range(listeners):
        cluster = i // listeners_per_cluster
        listener: dict = {
            "workspace": names[i % len(names)],
            "cluster": f"c{cluster}",
            "namespaces": [f"agents-{i}", f"batch-{i}"],
            "computeId": f"c{cluster}-{i}",
            # Deployment names are unique per workspace; each lives in one namespace.
            "deployments": {
                f"l{i}-d{j}": {"redisDb": j + 1, "namespace": f"agents-{i}"} for j in range(3)
            },
        }
        if cluster % 2:
            listener["postgres"] = {"rds": {"instanceClass": "db.t4g.large"}}
            listener["redis"] = {"elasticache": {"nodeType": "cache.t4g.medium"}}
        data["listeners"][f"l{i}"] = listener
    return data


def generate_topology(listeners: int, listeners_per_cluster: int = 10) -> str:
    return yaml.safe_dump(generate_topology_data(listeners, listeners_per_cluster), sort_keys=False)
