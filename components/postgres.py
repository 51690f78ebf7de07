"""`Postgres`: the database server a listener's Agent Servers share, one database per deployment.

`inCluster` runs a pgvector StatefulSet in the listener's release namespace; `rds` creates an
encrypted, private Amazon RDS instance that only the cluster's nodes can reach. Either way each
deployment gets its own database (created by an idempotent Job) and a `POSTGRES_URI_CUSTOM`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random

from components._common import RESTRICTED_CONTAINER, ComponentError, child_opts
from components._stateful_store import store_service, store_statefulset
from components.aws_network import AwsNetwork, nodes_only_security_group
from components.database_job import create_databases_job, database_name
from components.rollout import rollout_checksum
from langsmith_dataplane.naming import (
    database_job,
    postgres_admin_secret,
    postgres_roles_secret,
    rds_identifier,
    store_server,
)
from langsmith_dataplane.versions import POSTGRES_IMAGE

ADMIN_USER = "langsmith"
PORT = 5432
SECRET_MOUNT = "/etc/postgres-admin"


@dataclass(frozen=True)
class InClusterPostgres:
    """A pgvector StatefulSet; `resources` as Kubernetes writes them (requests and limits)."""

    storage_gb: int
    storage_class: str | None
    max_connections: int
    resources: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class RdsPostgres:
    """An encrypted, private RDS instance in the cluster's VPC."""

    instance_class: str
    storage_gb: int
    engine_version: str
    multi_az: bool
    backup_retention_days: int


@dataclass(frozen=True)
class PostgresStore:
    """Where a Postgres runs: exactly one of the two."""

    in_cluster: InClusterPostgres | None = None
    rds: RdsPostgres | None = None


@dataclass(frozen=True)
class PostgresArgs:
    """`identity` names the Kubernetes and AWS objects; exactly one of in_cluster / rds."""

    identity: str
    namespace: pulumi.Input[str]
    deployments: Sequence[str]
    store: PostgresStore
    network: AwsNetwork | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    protect: bool = False
    skip_await: bool = False


class Postgres(pulumi.ComponentResource):
    host: pulumi.Output[str]
    port: int
    deployment_uris: dict[str, pulumi.Output[str]]
    pod_labels: dict[str, str] | None

    def __init__(
        self, name: str, args: PostgresArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("langsmith:index:Postgres", name, None, opts)
        if (args.store.in_cluster is None) == (args.store.rds is None):
            raise ComponentError(self, "Postgres needs exactly one of in_cluster or rds")
        self.port = PORT
        password = random.RandomPassword(
            f"{name}-password", length=32, special=False, opts=child_opts(self)
        )
        labels = {**args.labels, "app.kubernetes.io/component": "postgres"}
        admin = k8s.core.v1.Secret(
            f"{name}-admin",
            metadata={
                "name": postgres_admin_secret(args.identity),
                "namespace": args.namespace,
                "labels": labels,
            },
            type="Opaque",
            string_data={"POSTGRES_USER": ADMIN_USER, "POSTGRES_PASSWORD": password.result},
            opts=child_opts(self),
        )
        if args.store.in_cluster is not None:
            self.host, self.pod_labels, sslmode = self._in_cluster(name, args, admin, labels)
        else:
            self.host, sslmode = self._rds(name, args, password), "require"
            self.pod_labels = None
        # Each deployment connects as its own role, which owns only its own database.
        role_passwords = {
            deployment: random.RandomPassword(
                f"{name}-{deployment}-password", length=32, special=False, opts=child_opts(self)
            ).result
            for deployment in sorted(args.deployments)
        }
        self.deployment_uris = {
            deployment: pulumi.Output.secret(
                pulumi.Output.format(
                    "postgres://{0}:{1}@{2}:{3}/{0}?sslmode={4}",
                    database_name(deployment),
                    role_password,
                    self.host,
                    PORT,
                    sslmode,
                )
            )
            for deployment, role_password in role_passwords.items()
        }
        if args.deployments:
            roles = k8s.core.v1.Secret(
                f"{name}-roles",
                metadata={
                    "name": postgres_roles_secret(args.identity),
                    "namespace": args.namespace,
                    "labels": labels,
                },
                type="Opaque",
                string_data={database_name(d): pw for d, pw in role_passwords.items()},
                opts=child_opts(self),
            )
            create_databases_job(
                f"{name}-databases",
                job_name=database_job(args.identity),
                namespace=args.namespace,
                databases=[database_name(d) for d in args.deployments],
                host=self.host,
                admin_secret_name=admin.metadata.name,
                roles_secret_name=roles.metadata.name,
                # The Job re-runs (its template changes) when a role's password does.
                checksum=rollout_checksum(password.result, list(role_passwords.values())),
                admin_user=ADMIN_USER,
                labels={**labels, "app.kubernetes.io/component": "create-databases"},
                skip_await=args.skip_await,
                sslmode=sslmode,
                # Replaced whenever the deployments change and holds no data: never protected,
                # even where the listener (and so everything else under it) is. One name: the
                # old Job goes before the new one comes.
                opts=child_opts(self, protect=False, delete_before_replace=True),
            )
        self.register_outputs({"host": self.host, "port": PORT})

    def _in_cluster(
        self, name: str, args: PostgresArgs, admin: k8s.core.v1.Secret, labels: dict[str, str]
    ) -> tuple[pulumi.Output[str], dict[str, str], str]:
        spec = args.store.in_cluster
        if spec is None:
            raise ComponentError(self, "in_cluster is not set")
        server = store_server(args.identity, "postgres")
        selector = {"app.kubernetes.io/name": "postgres", "app.kubernetes.io/instance": server}
        service, host = store_service(
            self,
            name,
            server=server,
            namespace=args.namespace,
            labels=labels,
            selector=selector,
            port_name="postgres",
            port=PORT,
            skip_await=args.skip_await,
        )
        probe = {
            "exec": {"command": ["pg_isready", "-U", ADMIN_USER]},
            "periodSeconds": 10,
            "timeoutSeconds": 5,
        }
        container = {
            "name": "postgres",
            "image": POSTGRES_IMAGE,
            "imagePullPolicy": "IfNotPresent",
            "ports": [{"name": "postgres", "containerPort": PORT}],
            # Agent Servers pool connections (LANGGRAPH_POSTGRES_POOL_MAX_SIZE, sized to fit).
            "args": ["-c", f"max_connections={spec.max_connections}"],
            # The password is a mounted file, never an environment variable.
            "env": [
                {"name": "POSTGRES_USER", "value": ADMIN_USER},
                {"name": "POSTGRES_PASSWORD_FILE", "value": f"{SECRET_MOUNT}/POSTGRES_PASSWORD"},
                {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
            ],
            "readinessProbe": probe,
            "livenessProbe": {**probe, "initialDelaySeconds": 30},
            "resources": spec.resources,
            "securityContext": RESTRICTED_CONTAINER,
            "volumeMounts": [
                {"name": "data", "mountPath": "/var/lib/postgresql/data"},
                {"name": "run", "mountPath": "/var/run/postgresql"},
                {"name": "tmp", "mountPath": "/tmp"},
                {"name": "admin", "mountPath": SECRET_MOUNT, "readOnly": True},
            ],
        }
        volumes = [
            {"name": "run", "emptyDir": {}},
            {"name": "tmp", "emptyDir": {}},
            {"name": "admin", "secret": {"secretName": admin.metadata.name, "defaultMode": 0o440}},
        ]
        store_statefulset(
            self,
            name,
            server=server,
            namespace=args.namespace,
            labels=labels,
            selector=selector,
            container=container,
            volumes=volumes,
            storage_gb=spec.storage_gb,
            storage_class=spec.storage_class,
            service=service,
            protect=args.protect,
            skip_await=args.skip_await,
        )
        return host, selector, "disable"

    def _rds(
        self, name: str, args: PostgresArgs, password: random.RandomPassword
    ) -> pulumi.Output[str]:
        spec, network = args.store.rds, args.network
        if spec is None or network is None:
            raise ComponentError(self, "rds needs the cluster's AWS network")
        aws_opts = {"provider": network.provider}
        identifier = rds_identifier(args.identity)
        tags = {"managed-by": "langsmith-dataplane", "listener": args.identity}
        subnets = aws.rds.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=network.private_subnet_ids,
            description=f"LangSmith data plane {args.identity}: private subnets",
            tags=tags,
            opts=child_opts(self, **aws_opts),
        )
        security_group = nodes_only_security_group(
            self,
            name,
            network=network,
            port=PORT,
            what="Postgres",
            identity=args.identity,
            tags=tags,
        )
        instance = aws.rds.Instance(
            f"{name}-instance",
            identifier=identifier,
            engine="postgres",
            engine_version=spec.engine_version,
            instance_class=spec.instance_class,
            allocated_storage=spec.storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            username=ADMIN_USER,
            password=password.result,
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[security_group.id],
            publicly_accessible=False,
            multi_az=spec.multi_az,
            backup_retention_period=spec.backup_retention_days,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            iam_database_authentication_enabled=True,
            performance_insights_enabled=True,
            deletion_protection=args.protect,
            skip_final_snapshot=not args.protect,
            final_snapshot_identifier=f"{identifier}-final" if args.protect else None,
            tags=tags,
            opts=child_opts(
                self, protect=args.protect, additional_secret_outputs=["password"], **aws_opts
            ),
        )
        return instance.address
