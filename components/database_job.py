"""The Kubernetes Job that gives each Agent Server deployment a database and a role of its own.

One deployment's credentials open only its own database: a compromised or buggy Agent Server
cannot read another deployment's threads. The Job is idempotent and re-runs when the list of
deployments or a password changes (its template changes, which replaces it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_kubernetes as k8s

from components._common import RESTRICTED_CONTAINER, await_annotations
from components.rollout import ANNOTATION
from langsmith_dataplane.versions import POSTGRES_IMAGE

# For each deployment: a login role of its own (no superuser, no CREATEDB/CREATEROLE) whose
# password is the mounted file /etc/postgres-roles/<db>, and a database it owns that no other
# role may connect to (the admin aside). Idempotent: re-running changes nothing, except that a
# new password file rotates the role's password and objects the admin role created in `public`
# (before roles existed) are handed to the deployment's role. Identifiers go through %I and
# :"var", values through :'var', so nothing is spliced into SQL as text.
ROLE_SQL = r"""
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\set pw `cat "$ROLES_DIR"/:db`
SELECT format('CREATE ROLE %I LOGIN', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'db') \gexec
ALTER ROLE :"db" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'pw';
GRANT :"db" TO CURRENT_USER;
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'db')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
ALTER DATABASE :"db" OWNER TO :"db";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
"""
OWNED_SQL = r"""
\set ON_ERROR_STOP on
SET client_min_messages = warning;
SELECT 'CREATE EXTENSION IF NOT EXISTS vector'
 WHERE EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') \gexec
ALTER SCHEMA public OWNER TO :"db";
SELECT format('ALTER %s %I.%I OWNER TO %I',
              CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                             WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
              n.nspname, c.relname, :'db')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = CURRENT_USER)
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype IN ('a', 'e', 'i')) \gexec
"""
CREATE_DATABASES = f"""\
set -eu
PGPASSWORD="$(cat "$ADMIN_DIR/POSTGRES_PASSWORD")"
export PGPASSWORD
until pg_isready --quiet; do sleep 2; done
for db in $DATABASES; do
  psql -X -q -d postgres -v db="$db" <<'SQL'
{ROLE_SQL}SQL
  psql -X -q -d "$db" -v db="$db" <<'SQL'
{OWNED_SQL}SQL
done
"""
ADMIN_MOUNT = "/etc/postgres-admin"
ROLES_MOUNT = "/etc/postgres-roles"


def database_name(deployment: str) -> str:
    """Deployment names are RFC 1123 labels; databases get underscores instead of dashes."""
    return deployment.replace("-", "_")


def create_databases_job(
    name: str,
    *,
    job_name: str,
    namespace: pulumi.Input[str],
    databases: Sequence[str],
    host: pulumi.Input[str],
    admin_secret_name: pulumi.Input[str],
    roles_secret_name: pulumi.Input[str],
    checksum: pulumi.Input[str],
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
        {"name": "ADMIN_DIR", "value": ADMIN_MOUNT},
        {"name": "ROLES_DIR", "value": ROLES_MOUNT},
    ]
    return k8s.batch.v1.Job(
        name,
        metadata={
            # Named, not auto-named: its pods carry the name in a label (at most 63).
            "name": job_name,
            "namespace": namespace,
            "labels": dict(labels),
            "annotations": await_annotations(skip_await),
        },
        spec={
            "backoffLimit": 6,
            "activeDeadlineSeconds": 900,
            "template": {
                "metadata": {"labels": dict(labels), "annotations": {ANNOTATION: checksum}},
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
                                    "mountPath": ADMIN_MOUNT,
                                    "readOnly": True,
                                },
                                {"name": "roles", "mountPath": ROLES_MOUNT, "readOnly": True},
                            ],
                        }
                    ],
                    "volumes": [
                        {
                            "name": "admin",
                            "secret": {"secretName": admin_secret_name, "defaultMode": 0o440},
                        },
                        {
                            "name": "roles",
                            "secret": {"secretName": roles_secret_name, "defaultMode": 0o440},
                        },
                    ],
                },
            },
        },
        opts=opts,
    )
