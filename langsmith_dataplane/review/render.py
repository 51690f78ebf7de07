"""`dataplane render`: one YAML manifest per Kubernetes object a stack declares.

The manifests are what the Pulumi program sends to the API server (from the mock run), with
secret values masked. Helm releases are not Kubernetes objects: they are listed in `helm/` with
their chart and values. Used for review, for schema validation (`kubernetes-validate`) and for
policy scanners such as checkov.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from langsmith_dataplane.review.masking import SECRET, mask, reveal
from langsmith_dataplane.simulation import RecordedResource, simulate
from langsmith_dataplane.topology.schema import Topology

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
# Its spec comes from the listener chart at `pulumi up` (`helm template`), which the mock run
# only stands in for: `helm/` lists the chart and version to render it from instead.
CHART_RENDERED = frozenset({"kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"})
DEFAULT_KUBERNETES_VERSION = "1.33"


@dataclass(frozen=True)
class Rendered:
    manifests: list[Path]
    helm_releases: list[Path]
    kubernetes_version: str


def _api_version(type_token: str) -> str:
    """`kubernetes:apps/v1:StatefulSet` -> `apps/v1`; the core group is just `v1`."""
    group_version = type_token.split(":")[1]
    group, _, version = group_version.partition("/")
    return version if group == "core" else group_version


def manifest(resource: RecordedResource) -> dict[str, Any]:
    inputs = mask(resource.inputs)
    kind = resource.type.rsplit(":", 1)[1]
    body = {k: v for k, v in inputs.items() if k not in ("apiVersion", "kind", "metadata")}
    metadata = dict(inputs.get("metadata") or {})
    metadata.setdefault("name", resource.name)  # auto-named: Pulumi adds a random suffix
    if kind == "Secret":
        # Keys are not secret, values are: keep the shape valid for schema checks.
        for field in ("stringData", "data"):
            if field in resource.inputs:
                body[field] = dict.fromkeys(reveal(resource.inputs[field]) or {}, SECRET)
    return {
        "apiVersion": inputs.get("apiVersion") or _api_version(resource.type),
        "kind": inputs.get("kind") or kind,
        "metadata": metadata,
        **body,
    }


def kubernetes_objects(resources: list[RecordedResource]) -> list[RecordedResource]:
    """Objects the stack creates (not providers, Helm releases, or objects only read)."""
    return [
        r
        for r in resources
        if r.type.startswith("kubernetes:")
        and r.type != HELM_RELEASE
        and r.type not in CHART_RENDERED
        and r.custom
        and not r.read
    ]


def _file_name(doc: dict[str, Any]) -> str:
    namespace = doc["metadata"].get("namespace")
    parts = [doc["kind"].lower(), *([namespace] if namespace else []), doc["metadata"]["name"]]
    return re.sub(r"[^a-z0-9.-]+", "-", "-".join(parts).lower()) + ".yaml"


def kubernetes_version(topology: Topology, stack: str) -> str:
    """The EKS version of the stack's clusters, else the default."""
    for cluster in topology.stacks[stack].clusters:
        eks = topology.clusters[cluster].eks
        if eks is not None:
            return eks.version
    return DEFAULT_KUBERNETES_VERSION


def render_stack(topology: Topology, stack: str, out: Path) -> Rendered:
    simulated = simulate(topology, stack)
    out.mkdir(parents=True, exist_ok=True)
    manifests: list[Path] = []
    for resource in kubernetes_objects(simulated.resources):
        doc = manifest(resource)
        path = out / _file_name(doc)
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        manifests.append(path)
    helm_dir = out / "helm"
    releases: list[Path] = []
    for resource in simulated.by_type(HELM_RELEASE):
        inputs = mask(resource.inputs)
        listing = {
            "release": inputs.get("name"),
            "namespace": inputs.get("namespace"),
            "chart": inputs.get("chart"),
            "version": inputs.get("version"),
            "repository": (inputs.get("repositoryOpts") or {}).get("repo"),
            "values": inputs.get("values") or {},
        }
        helm_dir.mkdir(exist_ok=True)
        path = helm_dir / f"{listing['namespace']}-{listing['release']}.yaml"
        path.write_text(yaml.safe_dump(listing, sort_keys=False))
        releases.append(path)
    return Rendered(sorted(manifests), sorted(releases), kubernetes_version(topology, stack))
