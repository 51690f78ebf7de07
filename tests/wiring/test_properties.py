"""Property test of the Pulumi program: random valid topologies, every stack, under mocks."""

from __future__ import annotations

from collections import Counter

import yaml
from hypothesis import HealthCheck, given, settings

from langsmith_dataplane.simulation import simulate
from langsmith_dataplane.stack_slice import slice_for_stack
from langsmith_dataplane.topology import parse_topology
from tests.strategies import topologies


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(topologies())
def test_program_invariants_hold_for_random_topologies(data):
    model = parse_topology(yaml.safe_dump(data, sort_keys=False)).model
    for stack in model.stacks:
        slice_ = slice_for_stack(model, stack)
        sim = simulate(model, stack)
        urns = Counter(r.urn for r in sim.resources)
        assert not [u for u, n in urns.items() if n > 1], "duplicate URNs"
        k8s_names = Counter(  # per cluster: the provider identifies the cluster
            (
                r.provider.split("::")[-2],
                r.type,
                (r.inputs.get("metadata") or {}).get("namespace"),
                (r.inputs.get("metadata") or {}).get("name"),
            )
            for r in sim.resources
            if r.type.startswith("kubernetes:")
            and r.custom
            and not r.read
            and (r.inputs.get("metadata") or {}).get("name")
        )
        assert not [k for k, n in k8s_names.items() if n > 1], (
            "two objects with one Kubernetes name"
        )
        releases = [
            r for r in sim.by_type("kubernetes:helm.sh/v3:Release") if r.name.endswith("-chart")
        ]
        assert len(releases) == len(slice_.listeners)
        # No release creates the CRD (a second creator would fail); each cluster with listeners
        # declares it exactly once.
        assert not [r for r in releases if r.inputs["values"]["operator"]["createCRDs"]]
        crds = sim.by_type("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")
        assert sorted(r.name for r in crds) == sorted(
            f"{c.name}-operator-crd" for c in slice_.clusters if c.listeners
        )
        denied = {
            r.inputs["metadata"]["namespace"]
            for r in sim.by_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
            if r.inputs["metadata"]["name"] == "langsmith-default-deny-egress"
        }
        for plan in slice_.listeners:
            assert {plan.release_namespace, *plan.watch_namespaces} <= denied
        assert all(r.protect == slice_.protect for r in sim.by_type("aws:rds/instance:Instance"))
