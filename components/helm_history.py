"""Helm's own record of a release, read and (for an interrupted operation) marked failed.

Helm 3 keeps each revision of a release in a Secret `sh.helm.release.v1.<name>.v<N>` of the
release's namespace, labelled `owner=helm`, `name=<name>`, `status=<status>`; its `release`
entry is base64 of the gzipped JSON release (helm's `pkg/storage/driver/util.go`), whose
`info.status` is what Helm decides by. An install or upgrade killed half-way leaves its revision
`pending-install` or `pending-upgrade`, and Helm then refuses every next operation on the name
("cannot re-use a name that is still in use", "another operation (install/upgrade/rollback) is
in progress"; helm's `action/install.go` `availableName`, `action/upgrade.go`). A revision
marked `failed` is one Helm goes on from: an install with `replace` reuses the name and adopts
the objects it owns, an upgrade starts from the last deployed revision.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from dataclasses import dataclass
from typing import Any

PENDING = frozenset({"pending-install", "pending-upgrade", "pending-rollback"})
GZIP_MAGIC = b"\x1f\x8b\x08"


@dataclass(frozen=True)
class ClusterAccess:
    """How to reach a cluster's API, as its Kubernetes provider does: a kubeconfig's contents
    (EKS, a secret), or a kubeconfig path (None: `KUBECONFIG` or `~/.kube/config`) and a
    context."""

    kubeconfig: Any = None  # str at `up`; in the program a `pulumi.Input[str]` (EKS's output)
    kubeconfig_path: str | None = None
    context: str | None = None


@dataclass(frozen=True)
class HelmRevision:
    """The latest revision of a release as Helm stored it."""

    secret_name: str
    resource_version: str
    version: int
    status: str
    chart_version: str
    config_digest: str
    body: dict[str, Any]
    labels: dict[str, str]


def _normalised(value: Any) -> Any:
    """Values as Helm's JSON keeps them: no nulls (`helm` drops them), integral floats as
    integers (Go's encoder writes 2.0 as 2), keys sorted by the digest's encoder."""
    if isinstance(value, dict):
        return {str(k): _normalised(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_normalised(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def values_digest(values: Any) -> str:
    """What identifies the values a release was installed with, without holding them."""
    encoded = json.dumps(_normalised(values or {}), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def decode_release(data: str) -> dict[str, Any]:
    """The JSON release of a record Secret's `release` entry (base64 as the API returns it)."""
    raw = base64.b64decode(base64.b64decode(data))
    if raw[:3] == GZIP_MAGIC:
        raw = gzip.decompress(raw)
    decoded = json.loads(raw)
    if not isinstance(decoded, dict):
        raise ValueError("a Helm release record that is not an object")
    return decoded


def encode_release(body: dict[str, Any]) -> str:
    """The inverse of `decode_release`, as Helm writes it (gzip, then base64)."""
    helm = base64.b64encode(gzip.compress(json.dumps(body).encode()))
    return base64.b64encode(helm).decode()


def _client(access: ClusterAccess) -> Any:
    import yaml
    from kubernetes import client, config

    if access.kubeconfig:
        loaded = yaml.safe_load(access.kubeconfig)
        api = config.new_client_from_config_dict(loaded, context=access.context)
    else:
        api = config.new_client_from_config(
            config_file=access.kubeconfig_path, context=access.context
        )
    return client.CoreV1Api(api)


def latest_revision(access: ClusterAccess, namespace: str, release: str) -> HelmRevision | None:
    """The newest stored revision of `release` in `namespace`; None when Helm has none."""
    core = _client(access)
    secrets = core.list_namespaced_secret(
        namespace, label_selector=f"owner=helm,name={release}"
    ).items
    newest = None
    for secret in secrets:
        labels = dict(secret.metadata.labels or {})
        version = int(labels.get("version", "0") or 0)
        if newest is None or version > newest[0]:
            newest = (version, secret, labels)
    if newest is None:
        return None
    version, secret, labels = newest
    body = decode_release((secret.data or {}).get("release", ""))
    info = body.get("info") or {}
    metadata = (body.get("chart") or {}).get("metadata") or {}
    return HelmRevision(
        secret_name=secret.metadata.name,
        resource_version=secret.metadata.resource_version,
        version=version,
        status=str(info.get("status") or labels.get("status") or ""),
        chart_version=str(metadata.get("version") or ""),
        config_digest=values_digest(body.get("config")),
        body=body,
        labels=labels,
    )


def mark_failed(access: ClusterAccess, namespace: str, revision: HelmRevision, why: str) -> None:
    """Rewrite `revision` as `failed` (with `why` as its description), only if nobody changed
    it since it was read (its resourceVersion): a concurrent Helm is never overwritten."""
    body = dict(revision.body)
    body["info"] = {**(body.get("info") or {}), "status": "failed", "description": why}
    patch = {
        "metadata": {
            "labels": {**revision.labels, "status": "failed"},
            "resourceVersion": revision.resource_version,
        },
        "data": {"release": encode_release(body)},
    }
    _client(access).patch_namespaced_secret(revision.secret_name, namespace, patch)
