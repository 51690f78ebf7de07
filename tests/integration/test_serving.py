"""Every example and the matrix of serving variants (each exposure with and without hostname and
TLS, cpu 4, a 52-character name, secretEnv, autoscaling), as the REAL kube-apiserver sees them:
the program's own objects (`render`) and the REAL langgraph-cloud chart's objects (`helm
template` with the program's values), server-side applied with `dryRun=All` after their
namespaces exist, against the REAL Gateway API CRDs (with their CEL validation). Admission,
schema validation, immutability rules and the CRDs' own checks all run; nothing is stored.

Istio's VirtualService has no CRD here (Istio is yours to install): it is the one object left
to the chart's rendering test.
"""

from __future__ import annotations

import copy

import pytest
import yaml

from langsmith_dataplane.review.render import render_stack
from langsmith_dataplane.topology import parse_topology
from tests.helpers import EXAMPLES
from tests.server_variants import VARIANTS, template, variant_sim, variant_text
from tests.sim import agent_server_releases, topology

pytestmark = pytest.mark.integration
NOT_HERE = {"VirtualService"}  # Istio's CRD is not part of this cluster


def chart_objects(release) -> list[dict]:
    """The REAL chart's objects with the program's values, each with its namespace."""
    objects = template(release)
    for obj in objects:
        obj["metadata"].setdefault("namespace", release.inputs["namespace"])
    return objects


def dry_run_apply(api, objects: list[dict]) -> list[str]:
    """Namespaces for real (a dry run cannot create into one that does not exist), then every
    object with `dryRun=All`; returns the API server's refusals."""
    dynamic_client, _ = api
    refusals = []
    ordered = sorted(objects, key=lambda d: d["kind"] != "Namespace")
    for doc in ordered:
        if doc["kind"] in NOT_HERE:
            continue
        resource = dynamic_client.resources.get(api_version=doc["apiVersion"], kind=doc["kind"])
        try:
            resource.server_side_apply(
                body=copy.deepcopy(doc),
                name=doc["metadata"]["name"],
                namespace=doc["metadata"].get("namespace"),
                field_manager="langsmith-dataplane",
                force_conflicts=True,
                dry_run=None if doc["kind"] == "Namespace" else "All",
            )
        except Exception as error:  # the API server's answer, with its reason
            body = getattr(error, "body", "") or error
            refusals.append(
                f"{doc['kind']} {doc['metadata'].get('namespace')}/{doc['metadata']['name']}: {body}"
            )
    return refusals


def program_objects(text: str, stack: str, out) -> list[dict]:
    rendered = render_stack(parse_topology(text).model, stack, out)
    return [yaml.safe_load(p.read_text()) for p in rendered.manifests]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_serving_variant_is_accepted_by_the_api_server(gateway_api, variant, tmp_path):
    [release] = agent_server_releases(variant_sim(variant))
    objects = program_objects(variant_text(variant), "s", tmp_path) + chart_objects(release)
    assert dry_run_apply(gateway_api, objects) == []


SERVER_EXAMPLES = [
    (path, stack)
    for path in EXAMPLES
    for stack in topology(path).stacks
    if topology(path).agent_servers or topology(path).listeners
]


@pytest.mark.parametrize(
    ("path", "stack"), SERVER_EXAMPLES, ids=[f"{p.stem}:{s}" for p, s in SERVER_EXAMPLES]
)
def test_every_example_is_accepted_by_the_api_server(gateway_api, path, stack, tmp_path):
    from tests.sim import simulated

    objects = program_objects(path.read_text(), stack, tmp_path)
    for release in agent_server_releases(simulated(path, stack)):
        objects += chart_objects(release)
    assert dry_run_apply(gateway_api, objects) == []
