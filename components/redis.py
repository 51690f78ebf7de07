"""`Redis`: the Redis a listener and its Agent Servers share.

`inCluster` runs a password-protected Redis StatefulSet in the listener's release namespace;
`elasticache` creates an encrypted (at rest and in transit) replication group with an auth
token that only the cluster's nodes can reach. The listener reads `connection_url` from a
Secret (DB 0); each deployment gets a `REDIS_URI_CUSTOM` with its own `redisDb`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pulumi_random as random

from components._common import RESTRICTED_CONTAINER, ComponentError, child_opts
from components._stateful_store import store_service, store_statefulset
from components.aws_network import AwsNetwork, nodes_only_security_group
from langsmith_dataplane.naming import (
    elasticache_id,
    redis_auth_secret,
    redis_connection_secret,
    store_server,
)
from langsmith_dataplane.versions import REDIS_IMAGE

PORT = 6379
LISTENER_DB = 0


@dataclass(frozen=True)
class InClusterRedis:
    """A Redis StatefulSet; `resources` as Kubernetes writes them (requests and limits)."""

    storage_gb: int
    storage_class: str | None
    resources: Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class ElastiCacheRedis:
    """An encrypted ElastiCache replication group in the cluster's VPC."""

    node_type: str
    engine_version: str
    replicas: int


@dataclass(frozen=True)
class RedisStore:
    """Where a Redis runs: exactly one of the two."""

    in_cluster: InClusterRedis | None = None
    elasticache: ElastiCacheRedis | None = None


@dataclass(frozen=True)
class RedisArgs:
    """`deployments` maps each Agent Server deployment to its Redis DB number."""

    identity: str
    namespace: pulumi.Input[str]
    deployments: Mapping[str, int] = field(default_factory=dict)
    store: RedisStore = field(default_factory=RedisStore)
    network: AwsNetwork | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    protect: bool = False
    skip_await: bool = False


class Redis(pulumi.ComponentResource):
    host: pulumi.Output[str]
    port: int
    connection_secret_name: pulumi.Output[str]
    deployment_uris: dict[str, pulumi.Output[str]]
    pod_labels: dict[str, str] | None

    def __init__(
        self, name: str, args: RedisArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("langsmith:index:Redis", name, None, opts)
        if (args.store.in_cluster is None) == (args.store.elasticache is None):
            raise ComponentError(self, "Redis needs exactly one of in_cluster or elasticache")
        self.port = PORT
        labels = {**args.labels, "app.kubernetes.io/component": "redis"}
        password = random.RandomPassword(
            f"{name}-password", length=40, special=False, opts=child_opts(self)
        )
        if args.store.in_cluster is not None:
            self.host, self.pod_labels = self._in_cluster(name, args, password, labels)
            scheme = "redis"
        else:
            self.host, self.pod_labels, scheme = (
                self._elasticache(name, args, password),
                None,
                "rediss",
            )

        def uri(db: int) -> pulumi.Output[str]:
            return pulumi.Output.secret(
                pulumi.Output.format(
                    "{0}://:{1}@{2}:{3}/{4}", scheme, password.result, self.host, PORT, db
                )
            )

        self.listener_uri = uri(LISTENER_DB)
        connection = k8s.core.v1.Secret(
            f"{name}-connection",
            metadata={
                "name": redis_connection_secret(args.identity),
                "namespace": args.namespace,
                "labels": labels,
            },
            type="Opaque",
            string_data={"connection_url": self.listener_uri},
            opts=child_opts(self),
        )
        self.connection_secret_name = connection.metadata.name
        self.deployment_uris = {d: uri(db) for d, db in sorted(args.deployments.items())}
        self.register_outputs({"host": self.host, "port": PORT})

    def _in_cluster(
        self,
        name: str,
        args: RedisArgs,
        password: random.RandomPassword,
        labels: dict[str, str],
    ) -> tuple[pulumi.Output[str], dict[str, str]]:
        spec = args.store.in_cluster
        if spec is None:
            raise ComponentError(self, "in_cluster is not set")
        server = store_server(args.identity, "redis")
        selector = {"app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": server}
        auth = k8s.core.v1.Secret(
            f"{name}-auth",
            metadata={
                "name": redis_auth_secret(args.identity),
                "namespace": args.namespace,
                "labels": labels,
            },
            type="Opaque",
            string_data={"REDIS_PASSWORD": password.result},
            opts=child_opts(self),
        )
        service, host = store_service(
            self,
            name,
            server=server,
            namespace=args.namespace,
            labels=labels,
            selector=selector,
            port_name="redis",
            port=PORT,
            skip_await=args.skip_await,
        )
        password_file = "/etc/redis-auth/REDIS_PASSWORD"
        ping = f'redis-cli -a "$(cat {password_file})" --no-auth-warning ping'
        probe = {
            "exec": {"command": ["sh", "-c", ping]},
            "periodSeconds": 10,
            "timeoutSeconds": 5,
        }
        container = {
            "name": "redis",
            "image": REDIS_IMAGE,
            "imagePullPolicy": "IfNotPresent",
            "command": ["sh", "-c"],
            # The password is a mounted file, never an environment variable.
            "args": [
                f'exec redis-server --requirepass "$(cat {password_file})" '
                "--appendonly yes --dir /data"
            ],
            "ports": [{"name": "redis", "containerPort": PORT}],
            "readinessProbe": probe,
            "livenessProbe": {**probe, "initialDelaySeconds": 30},
            "resources": spec.resources,
            "securityContext": RESTRICTED_CONTAINER,
            "volumeMounts": [
                {"name": "data", "mountPath": "/data"},
                {"name": "auth", "mountPath": "/etc/redis-auth", "readOnly": True},
            ],
        }
        volumes = [
            {"name": "auth", "secret": {"secretName": auth.metadata.name, "defaultMode": 0o440}}
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
        return host, selector

    def _elasticache(
        self, name: str, args: RedisArgs, password: random.RandomPassword
    ) -> pulumi.Output[str]:
        spec, network = args.store.elasticache, args.network
        if spec is None or network is None:
            raise ComponentError(self, "elasticache needs the cluster's AWS network")
        aws_opts = {"provider": network.provider}
        group_id = elasticache_id(args.identity)
        tags = {"managed-by": "langsmith-dataplane", "listener": args.identity}
        subnets = aws.elasticache.SubnetGroup(
            f"{name}-subnets",
            subnet_ids=network.private_subnet_ids,
            description=f"LangSmith data plane {args.identity}: private subnets",
            tags=tags,
            opts=child_opts(self, **aws_opts),
        )
        security_group = nodes_only_security_group(
            self, name, network=network, port=PORT, what="Redis", identity=args.identity, tags=tags
        )
        failover = spec.replicas > 0
        group = aws.elasticache.ReplicationGroup(
            f"{name}-group",
            replication_group_id=group_id,
            description=f"LangSmith data plane {args.identity}",
            engine="redis",
            engine_version=spec.engine_version,
            node_type=spec.node_type,
            num_cache_clusters=1 + spec.replicas,
            automatic_failover_enabled=failover,
            multi_az_enabled=failover,
            port=PORT,
            subnet_group_name=subnets.name,
            security_group_ids=[security_group.id],
            at_rest_encryption_enabled=True,
            transit_encryption_enabled=True,
            auth_token=password.result,
            snapshot_retention_limit=7 if args.protect else 0,
            final_snapshot_identifier=f"{group_id}-final" if args.protect else None,
            apply_immediately=False,
            tags=tags,
            opts=child_opts(
                self, protect=args.protect, additional_secret_outputs=["authToken"], **aws_opts
            ),
        )
        return group.primary_endpoint_address
