"""Hypothesis strategies shared by the property tests: random topologies valid by construction."""

from __future__ import annotations

from hypothesis import strategies as st

names = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True)


uuids = st.uuids().map(str)


@st.composite
def topologies(draw) -> dict:
    """A random topology that satisfies every rule by construction."""
    workspace_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    workspaces = {w: {"id": draw(uuids), "apiKey": f"{w}.apiKey"} for w in workspace_names}
    cluster_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    clusters: dict = {}
    for c in cluster_names:
        if draw(st.booleans()):
            low = draw(st.integers(0, 3))
            clusters[c] = {
                "eks": {
                    "region": "us-east-1",
                    "version": "1.33",
                    "nodeGroups": {
                        "general": {
                            "instanceType": "m6i.large",
                            "minSize": low,
                            "maxSize": low + draw(st.integers(1, 5)),
                        }
                    },
                },
                "ingress": "gateway",
            }
        else:
            kind = draw(st.sampled_from(["gateway", "istio"]))
            clusters[c] = {"existing": {"context": c}, "ingress": kind}
            if kind == "istio":  # Istio routes through a gateway the topology names
                clusters[c]["gateway"] = {"name": "agents", "namespace": "istio-ingress"}
            if draw(st.booleans()):
                clusters[c]["hostname"] = f"agents.{c}.example.com"
    listeners: dict = {}
    for c in cluster_names:
        count = draw(st.integers(0, 3))
        for i in range(count):
            workspace = draw(st.sampled_from(workspace_names))
            listener = {
                "workspace": workspace,
                "cluster": c,
                "namespaces": [f"ns{i}-{n}" for n in range(draw(st.integers(1, 3)))],
                "computeId": f"{c}-{i}",
            }
            dbs = draw(st.lists(st.integers(1, 15), max_size=4, unique=True))
            if dbs:  # names are unique per workspace; each lives in one namespace
                listener["deployments"] = {
                    f"{c}-l{i}-dep{j}": {"redisDb": db, "namespace": listener["namespaces"][-1]}
                    for j, db in enumerate(dbs)
                }
            if "eks" in clusters[c] and draw(st.booleans()):
                listener["postgres"] = {"rds": {"instanceClass": "db.t4g.large"}}
                listener["redis"] = {"elasticache": {"nodeType": "cache.t4g.medium"}}
            listeners[f"{c}-l{i}"] = listener
    shuffled = draw(st.permutations(cluster_names))
    split = draw(st.integers(1, len(shuffled)))
    stacks = {"one": {"clusters": list(shuffled[:split]), "protect": draw(st.booleans())}}
    if shuffled[split:]:
        stacks["two"] = {"clusters": list(shuffled[split:])}
    return {
        "version": 1,
        "controlPlane": {"region": draw(st.sampled_from(["us", "eu", "apac", "aws-us"]))},
        "workspaces": workspaces,
        "clusters": clusters,
        "listeners": listeners,
        "egress": {"allow": [{"name": "llm", "cidrs": ["203.0.113.0/24"], "ports": [443]}]},
        "stacks": stacks,
    }
