"""What the in-cluster Postgres and Redis share: a Service, and a one-replica StatefulSet whose
volume outlives it. Each store brings only its container and extra volumes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._common import await_annotations, child_opts

# The official postgres/pgvector and redis images own their data as UID 999.
POD_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": 999,
    "runAsGroup": 999,
    "fsGroup": 999,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def store_service(
    parent: pulumi.Resource,
    name: str,
    *,
    server: str,
    namespace: pulumi.Input[str],
    labels: Mapping[str, str],
    selector: Mapping[str, str],
    port_name: str,
    port: int,
    skip_await: bool,
) -> tuple[k8s.core.v1.Service, pulumi.Output[str]]:
    """The Service `<name>-service` and the in-cluster host name it gives the store."""
    service = k8s.core.v1.Service(
        f"{name}-service",
        metadata={
            "name": server,
            "namespace": namespace,
            "labels": dict(labels),
            # Else the provider waits for Pods to direct traffic to (none on a bare API server).
            "annotations": await_annotations(skip_await),
        },
        spec={
            "selector": dict(selector),
            "ports": [{"name": port_name, "port": port, "targetPort": port}],
        },
        opts=child_opts(parent),
    )
    host = pulumi.Output.format("{0}.{1}.svc.cluster.local", service.metadata.name, namespace)
    return service, host


def store_statefulset(
    parent: pulumi.Resource,
    name: str,
    *,
    server: str,
    namespace: pulumi.Input[str],
    labels: Mapping[str, str],
    selector: Mapping[str, str],
    container: Mapping[str, Any],
    volumes: Sequence[Mapping[str, Any]],
    storage_gb: int,
    storage_class: str | None,
    service: k8s.core.v1.Service,
    protect: bool,
    skip_await: bool,
) -> k8s.apps.v1.StatefulSet:
    """`<name>-statefulset`: one replica, a `data` volume claim, protected in protect stacks."""
    pod_labels = {**labels, **selector}
    claim_spec: dict[str, Any] = {
        "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": f"{storage_gb}Gi"}},
    }
    if storage_class:
        claim_spec["storageClassName"] = storage_class
    pod_spec: dict[str, Any] = {
        "automountServiceAccountToken": False,
        "securityContext": POD_SECURITY,
        "containers": [dict(container)],
    }
    if volumes:
        pod_spec["volumes"] = list(volumes)
    return k8s.apps.v1.StatefulSet(
        f"{name}-statefulset",
        metadata={
            "name": server,
            "namespace": namespace,
            "labels": pod_labels,
            "annotations": await_annotations(skip_await),
        },
        spec={
            "serviceName": server,
            "replicas": 1,
            "selector": {"matchLabels": dict(selector)},
            # Deleting the StatefulSet keeps the volume: data outlives a mistaken delete.
            "persistentVolumeClaimRetentionPolicy": {
                "whenDeleted": "Retain",
                "whenScaled": "Retain",
            },
            "template": {"metadata": {"labels": pod_labels}, "spec": pod_spec},
            "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": claim_spec}],
        },
        # Not after the Service: its readiness waits for this StatefulSet's pod, so ordering
        # them would wait out the Service's await on every cluster that reports readiness.
        opts=child_opts(parent, protect=protect),
    )
