"""`dataplane render`: one YAML manifest per Kubernetes object a stack declares.

The manifests are what the Pulumi program sends to the API server (from the mock run), with
secret values masked. Helm releases are not Kubernetes objects: they are listed in `helm/` with
their chart and values. Used for review, for schema validation (`kubernetes-validate`) and for
policy scanners such as checkov.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from langsmith_dataplane.api.cloud_deployments import GithubDeploymentBody
from langsmith_dataplane.api.deployments import DeploymentBody
from langsmith_dataplane.dynamic_kinds import CLOUD_DEPLOYMENT_KIND
from langsmith_dataplane.naming import CLUSTER_PROVIDER_SUFFIX
from langsmith_dataplane.review.masking import SECRET, mask, reveal
from langsmith_dataplane.review.plan import is_deployment, record_kind
from langsmith_dataplane.simulation import RecordedResource, simulate
from langsmith_dataplane.topology.schema import Topology

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
# Its spec comes from the listener chart at `pulumi up` (`helm template`), which the mock run
# only stands in for: `helm/` lists the chart and version to render it from instead.
CHART_RENDERED = frozenset({"kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"})
DEFAULT_KUBERNETES_VERSION = "1.33"


OWNED = ".dataplane-render"  # the files the last render wrote: only those are ever removed


class UnsafeOutputError(Exception):
    """The output directory holds something render must not write through."""


def _write_owned(path: Path, text: str) -> None:
    """Write a regular file, never through a symlink (O_NOFOLLOW) or onto something else."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise UnsafeOutputError(f"{path} is a symlink or not a regular file; not writing there")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o644)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _directory(path: Path) -> Path:
    if path.is_symlink():
        raise UnsafeOutputError(f"{path} is a symlink; give a real directory")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_stale(out: Path, written: set[str]) -> list[str]:
    """Files an earlier render wrote that this one did not: removed (links, not targets)."""
    owned = out / OWNED
    if not owned.is_file() or owned.is_symlink():
        return []
    removed = []
    for name in owned.read_text().splitlines():
        if not name or name in written or name.startswith(("/", "..")) or "/../" in name:
            continue
        stale = out / name
        if stale.is_symlink() or stale.is_file():
            stale.unlink()
            removed.append(name)
    return sorted(removed)


@dataclass(frozen=True)
class Rendered:
    manifests: list[Path]
    helm_releases: list[Path]
    kubernetes_version: str
    removed: list[str] = field(default_factory=list)
    deployments: list[Path] = field(default_factory=list)


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
    """`<kind>_<namespace>_<name>.yaml`: Kubernetes names never hold '_', so distinct objects
    never share a file (joining with '-' made `ns`/`a-x` and `ns-a`/`x` one file)."""
    namespace = doc["metadata"].get("namespace")
    parts = [doc["kind"].lower(), *([namespace] if namespace else []), doc["metadata"]["name"]]
    return "_".join(re.sub(r"[^a-z0-9.-]+", "-", part.lower()) for part in parts) + ".yaml"


def _release_file(namespace: str, release: str) -> str:
    """`<namespace>_<release>.yaml`: injective, like the manifests' names."""
    return (
        "_".join(re.sub(r"[^a-z0-9.-]+", "-", part.lower()) for part in (namespace, release))
        + ".yaml"
    )


def cluster_of(resource: RecordedResource) -> str:
    """The cluster a Kubernetes object goes to: its provider is `<cluster>-k8s`."""
    provider = resource.provider.split("::")[-2] if resource.provider else ""
    return provider.removesuffix(CLUSTER_PROVIDER_SUFFIX) or "cluster"


def kubernetes_version(topology: Topology, stack: str) -> str:
    """The EKS version of the stack's clusters, else the default."""
    for cluster in topology.stacks[stack].clusters:
        eks = topology.clusters[cluster].eks
        if eks is not None:
            return eks.version
    return DEFAULT_KUBERNETES_VERSION


def render_stack(topology: Topology, stack: str, out: Path) -> Rendered:
    """Write the stack's manifests and Helm listings into `out`; remove what an earlier render
    wrote there and this one did not. Raises `UnsafeOutputError` rather than follow a link."""
    simulated = simulate(topology, stack)
    _directory(out)
    several = len(set(topology.stacks[stack].clusters)) > 1

    def base(resource: RecordedResource) -> Path:
        """`out`, or `out/<cluster>/` when the stack has several clusters: each cluster has
        its own `langgraph` Gateway, its own `keda` release, ..."""
        return _directory(out / cluster_of(resource)) if several else out

    manifests: list[Path] = []
    for resource in kubernetes_objects(simulated.resources):
        doc = manifest(resource)
        path = base(resource) / _file_name(doc)
        _write_owned(path, yaml.safe_dump(doc, sort_keys=False))
        manifests.append(path)
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
        helm_dir = _directory(base(resource) / "helm")
        path = helm_dir / _file_name(
            {
                "kind": "",
                "metadata": {"namespace": listing["namespace"], "name": listing["release"]},
            }
        ).lstrip("_")
        _write_owned(path, yaml.safe_dump(listing, sort_keys=False))
        releases.append(path)
    deployments = _deployment_requests(simulated.resources, out)
    written = {p.relative_to(out).as_posix() for p in [*manifests, *releases, *deployments]}
    removed = _remove_stale(out, written)
    _write_owned(out / OWNED, "".join(f"{name}\n" for name in sorted(written)))
    return Rendered(
        sorted(manifests),
        sorted(releases),
        kubernetes_version(topology, stack),
        removed,
        sorted(deployments),
    )


def _deployment_requests(resources: list[RecordedResource], out: Path) -> list[Path]:
    """`deployments/`: the request `pulumi up` sends LangSmith to create each deployment, hybrid
    or Cloud SaaS (secrets masked; the same builders as the providers')."""
    written = []
    for resource in resources:
        if is_deployment(resource):
            request = DeploymentBody.from_props(mask(resource.inputs)).create_body()
            name = f"{resource.name}.yaml"
        elif record_kind(resource) == CLOUD_DEPLOYMENT_KIND:
            # Cloud SaaS: the integration's id is resolved from its name at `up`.
            props = mask(resource.inputs)
            integration = f"<id of GitHub integration '{props['integration']}'>"
            request = GithubDeploymentBody.from_props(props, integration).create_body()
            # A '.' is in no topology name: `cloud.<name>` never meets a hybrid request's file.
            name = f"cloud.{props['name']}.yaml"
        else:
            continue
        path = _directory(out / "deployments") / name
        _write_owned(path, yaml.safe_dump(request, sort_keys=False))
        written.append(path)
    return written
