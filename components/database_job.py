"""The Kubernetes Job that creates one database per Agent Server deployment, idempotently."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components._common import RESTRICTED_CONTAINER, annotations
from langsmith_dataplane.versions import POSTGRES_IMAGE

# Runs `CREATE DATABASE` only for databases that do not exist yet, so re-running is harmless.
# The Job's template changes when the list changes, which replaces (re-runs) the Job.
CREATE_DATABASES = """\
set -eu
PGPASSWORD="$(cat /etc/postgres-admin/POSTGRES_PASSWORD)"
export PGPASSWORD
for db in $DATABASES; do
  until pg_isready --quiet; do sleep 2; done
  if [ "$(psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]; then
    psql -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE \\"$db\\""
  fi
done
"""


def database_name(deployment: str) -> str:
    """Deployment names are RFC 1123 labels; databases get underscores instead of dashes."""
    return deployment.replace("-", "_")


def create_databases_job(
    name: str,
    *,
    namespace: pulumi.Input[str],
    databases: Sequence[str],
    host: pulumi.Input[str],
    admin_secret_name: pulumi.Input[str],
    admin_user: str,
    labels: Mapping[str, str],
    skip_await: bool,
    sslmode: str,
    opts: pulumi.ResourceOptions,
) -> k8s.batch.v1.Job:
    env = [
        {"name": "DATABASES", "value": " ".join(sorted(databases))},
        {"name": "PGHOST", "value": host},
        {"name": "PGPORT", "value": "5432"},
        {"name": "PGSSLMODE", "value": sslmode},
        {"name": "PGUSER", "value": admin_user},
    ]
    return k8s.batch.v1.Job(
        name,
        metadata={
            "namespace": namespace,
            "labels": dict(labels),
            "annotations": annotations(skip_await),
        },
        spec={
            "backoffLimit": 6,
            "activeDeadlineSeconds": 900,
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "restartPolicy": "OnFailure",
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 999,
                        "runAsGroup": 999,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "create-databases",
                            "image": POSTGRES_IMAGE,
                            "imagePullPolicy": "IfNotPresent",
                            "command": ["/bin/sh", "-c", CREATE_DATABASES],
                            "env": env,
                            "securityContext": RESTRICTED_CONTAINER,
                            "resources": {
                                "requests": {"cpu": "50m", "memory": "64Mi"},
                                "limits": {"cpu": "200m", "memory": "128Mi"},
                            },
                            "volumeMounts": [
                                {
                                    "name": "admin",
                                    "mountPath": "/etc/postgres-admin",
                                    "readOnly": True,
                                }
                            ],
                        }
                    ],
                    "volumes": [
                        {
                            "name": "admin",
                            "secret": {"secretName": admin_secret_name, "defaultMode": 0o440},
                        }
                    ],
                },
            },
        },
        opts=opts,
    )
