"""`AgentServer`: a standalone Agent Server (chart `langgraph-cloud`) that traces to LangSmith.

LangSmith's hybrid model for new customers since 2026-05: no listener, no operator, no control
plane registration. Children: its namespace, its own Postgres (one database) and Redis (the same
components listeners use), the Secret holding the license key and the workspace API key
(`config.existingSecretName`: never in values), the Secret of store URIs the chart reads
(`postgres.external` / `redis.external`), a Secret for `secretEnv`, and the Helm release.
Egress is declared by the cluster's `Egress` component like every other namespace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from components._common import base_labels, chart_labels, child_opts, release_chart
from components.aws_network import AwsNetwork
from components.exposure import Exposure, exposure_values
from components.namespace import Namespace, NamespaceArgs
from components.postgres import Postgres, PostgresArgs, PostgresStore
from components.redis import Redis, RedisArgs, RedisStore
from components.rollout import ANNOTATION, rollout_checksum, rollout_key
from langsmith_dataplane.naming import (
    SERVER_API_SUFFIX,
    SERVER_QUEUE_SUFFIX,
    server_certificate_grant,
    server_env_secret,
    server_fullname,
    server_keys_secret,
    server_stores_secret,
)
from langsmith_dataplane.quantity import doubled
from langsmith_dataplane.versions import AGENT_SERVER_CHART, ChartRef

LICENSE_KEY = "langgraph_cloud_license_key"
API_KEY = "api_key"
REDIS_DB = 1
# langgraph-api drains background runs for BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS (180 s) after
# SIGTERM; the chart's 30 s would kill in-flight runs on every image bump.
TERMINATION_GRACE_SECONDS = 195
CONTAINER_SECURITY = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


@dataclass(frozen=True)
class ServerResources:
    """CPU and memory per pod; a limit left out is twice its request."""

    cpu: str
    memory: str
    cpu_limit: str | None = None
    memory_limit: str | None = None


@dataclass(frozen=True)
class Autoscaling:
    """A HorizontalPodAutoscaler from `replicas` up to `max_replicas`."""

    max_replicas: int
    target_cpu_percent: int


@dataclass(frozen=True)
class Queue:
    """The chart's separate queue workers."""

    enabled: bool
    replicas: int


@dataclass(frozen=True)
class ServerWorkload:
    """One server's pods and stores: what the wiring takes from the topology for it."""

    namespace: str
    image: str
    replicas: int
    resources: ServerResources
    queue: Queue
    postgres: PostgresStore
    redis: RedisStore
    autoscaling: Autoscaling | None = None
    jobs_per_worker: int | None = None
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: Sequence[Mapping[str, str]] = ()
    image_pull_secrets: Sequence[str] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    hostname: str | None = None
    auth: Literal["langsmith", "custom"] = "langsmith"
    tracing_project: str | None = None


@dataclass(frozen=True)
class AgentServerArgs:
    """`pool_size`: `LANGGRAPH_POSTGRES_POOL_MAX_SIZE` (None keeps langgraph-api's default);
    `auth_endpoint`: the LangSmith API that authenticates callers (`auth: langsmith`)."""

    release_name: str
    workload: ServerWorkload
    workspace_key: str
    workspace_id: str
    api_key: pulumi.Input[str]
    license_key: pulumi.Input[str]
    secret_env: Mapping[str, pulumi.Input[str]]
    trace_endpoint: str
    exposure: Exposure
    pool_size: int | None = None
    network: AwsNetwork | None = None
    chart: ChartRef = AGENT_SERVER_CHART
    protect: bool = False
    skip_await: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)


def image_parts(image: str) -> tuple[str, str]:
    """`registry/path:tag` -> (`registry/path`, `tag`): the chart joins them with ':'."""
    repository, _, tag = image.rpartition(":")
    return repository, tag


def server_resources(resources: ServerResources) -> dict[str, dict[str, str]]:
    """Requests, and limits set explicitly: Helm would merge the chart's `limits.cpu: 2000m`
    into a partial `limits`, and a request above it is refused by the API server."""
    return {
        "requests": {"cpu": resources.cpu, "memory": resources.memory},
        "limits": {
            "cpu": resources.cpu_limit or doubled(resources.cpu, binary=False),
            "memory": resources.memory_limit or doubled(resources.memory, binary=True),
        },
    }


def server_env(args: AgentServerArgs, env_secret: pulumi.Input[str] | None) -> list[Any]:
    """What the stack sets (traces, workspace, pool), then the topology's variables."""
    spec = args.workload
    env: list[dict[str, Any]] = [
        {"name": "LANGSMITH_ENDPOINT", "value": args.trace_endpoint},
        {"name": "LANGSMITH_TRACING", "value": "true"},
        {"name": "LANGSMITH_PROJECT", "value": spec.tracing_project or args.release_name},
        # Required with organisation-scoped keys; harmless with workspace keys.
        {"name": "LANGSMITH_WORKSPACE_ID", "value": args.workspace_id},
    ]
    if args.pool_size is not None:
        env.append({"name": "LANGGRAPH_POSTGRES_POOL_MAX_SIZE", "value": str(args.pool_size)})
    env += [{"name": k, "value": v} for k, v in sorted(spec.env.items())]
    env += [
        {"name": k, "valueFrom": {"secretKeyRef": {"name": env_secret, "key": k}}}
        for k in sorted(args.secret_env)
    ]
    return env


def _spread(component: str) -> dict[str, Any]:
    """Prefer one pod per node, so a node loss takes one replica, not all."""
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "topologyKey": "kubernetes.io/hostname",
                        "labelSelector": {
                            "matchLabels": {"app.kubernetes.io/component": component}
                        },
                    },
                }
            ]
        }
    }


def _workload(
    args: AgentServerArgs,
    *,
    replicas: int,
    scaled: bool,
    suffix: str,
    env: list[Any],
    checksum: pulumi.Input[str],
    service_account: pulumi.Input[str],
) -> dict[str, Any]:
    """The chart's `apiServer` / `queue` values: pods, hardening, spreading, disruption budget."""
    spec = args.workload
    several = replicas > 1 or scaled
    deployment: dict[str, Any] = {
        "replicaCount": replicas,
        "resources": server_resources(spec.resources),
        "extraEnv": env,
        "annotations": {ANNOTATION: checksum},
        "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
        "podSecurityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
        "securityContext": CONTAINER_SECURITY,
        "nodeSelector": dict(spec.node_selector),
        "tolerations": [dict(t) for t in spec.tolerations],
    }
    if several:
        deployment["affinity"] = _spread(f"{server_fullname(args.release_name)}{suffix}")
    return {
        "deployment": deployment,
        # The chart's own ServiceAccount always mounts an API token: the stack's does not.
        "serviceAccount": {"create": False, "name": service_account},
        "pdb": {"enabled": several, "minAvailable": 1},
    }


def server_values(
    args: AgentServerArgs,
    *,
    keys_secret: pulumi.Input[str],
    stores_secret: pulumi.Input[str],
    env_secret: pulumi.Input[str] | None,
    service_account: pulumi.Input[str],
    checksum: pulumi.Input[str],
) -> dict[str, Any]:
    """The chart values. Keys and URIs are read from Secrets; the chart's own stores are off;
    the API server's Service is ClusterIP (the chart's default is a public LoadBalancer)."""
    spec, exposure = args.workload, args.exposure
    repository, tag = image_parts(spec.image)
    env = server_env(args, env_secret)
    hostname = spec.hostname or ""
    workload = {"env": env, "checksum": checksum, "service_account": service_account}
    api_server = _workload(
        args,
        replicas=spec.replicas,
        scaled=spec.autoscaling is not None,
        suffix=SERVER_API_SUFFIX,
        **workload,
    )
    api_server["service"] = {"type": "ClusterIP"}
    if spec.autoscaling is not None:
        api_server["autoscaling"] = {
            "enabled": True,
            "minReplicas": spec.replicas,
            "maxReplicas": spec.autoscaling.max_replicas,
            "targetCPUUtilizationPercentage": spec.autoscaling.target_cpu_percent,
        }
    queue = _workload(
        args, replicas=spec.queue.replicas, scaled=False, suffix=SERVER_QUEUE_SUFFIX, **workload
    )
    config: dict[str, Any] = {
        "existingSecretName": keys_secret,
        "auth": {
            "enabled": spec.auth == "langsmith",
            "langSmithAuthEndpoint": args.trace_endpoint if spec.auth == "langsmith" else "",
            "langSmithTenantId": args.workspace_id if spec.auth == "langsmith" else "",
        },
    }
    if spec.jobs_per_worker is not None:
        config["numberOfJobsPerWorker"] = spec.jobs_per_worker
    return {
        "fullnameOverride": server_fullname(args.release_name),
        "images": {
            # Tags are pinned (the rules refuse mutable ones): pull once per node.
            "apiServerImage": {"repository": repository, "tag": tag, "pullPolicy": "IfNotPresent"},
            "imagePullSecrets": [{"name": name} for name in spec.image_pull_secrets],
        },
        "config": config,
        "apiServer": api_server,
        "queue": {"enabled": spec.queue.enabled, **queue},
        "postgres": {"external": {"enabled": True, "existingSecretName": stores_secret}},
        "redis": {"external": {"enabled": True, "existingSecretName": stores_secret}},
        # Without a hostname the server is cluster-internal: no route at all.
        **exposure_values(exposure, hostname, enabled=bool(hostname)),
        "commonLabels": chart_labels(dict(args.labels)),
    }


class AgentServer(pulumi.ComponentResource):
    namespace: pulumi.Output[str]
    postgres: Postgres
    redis: Redis
    release: k8s.helm.v3.Release

    def __init__(
        self, name: str, args: AgentServerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("langsmith:index:AgentServer", name, None, opts)
        spec = args.workload
        labels = {
            **base_labels(workspace=args.workspace_key, agent_server=args.release_name),
            **args.labels,
        }
        namespace = Namespace(
            f"{name}-ns",
            NamespaceArgs(
                spec.namespace,
                labels={**labels, "langsmith.com/role": "agent-server"},
                protect=args.protect,
            ),
            opts=child_opts(self),
        )
        self.namespace = namespace.name
        store_args = {
            "identity": args.release_name,
            "namespace": namespace.name,
            "network": args.network,
            "labels": labels,
            "protect": args.protect,
            "skip_await": args.skip_await,
        }
        self.postgres = Postgres(
            f"{name}-postgres",
            PostgresArgs(
                deployments=[args.release_name],
                store=spec.postgres,
                **store_args,
            ),
            opts=child_opts(self),
        )
        self.redis = Redis(
            f"{name}-redis",
            RedisArgs(
                deployments={args.release_name: REDIS_DB},
                store=spec.redis,
                **store_args,
            ),
            opts=child_opts(self),
        )
        secret = {"namespace": namespace.name, "labels": labels}
        keys = k8s.core.v1.Secret(
            f"{name}-keys",
            metadata={"name": server_keys_secret(args.release_name), **secret},
            type="Opaque",
            string_data={
                LICENSE_KEY: pulumi.Output.secret(args.license_key),
                API_KEY: pulumi.Output.secret(args.api_key),
            },
            opts=child_opts(self),
        )
        postgres_uri = self.postgres.deployment_uris[args.release_name]
        redis_uri = self.redis.deployment_uris[args.release_name]
        stores = k8s.core.v1.Secret(
            f"{name}-stores",
            metadata={"name": server_stores_secret(args.release_name), **secret},
            type="Opaque",
            string_data={
                "postgres_connection_url": postgres_uri,
                "redis_connection_url": redis_uri,
            },
            opts=child_opts(self),
        )
        env_secret = None
        if args.secret_env:
            env_secret = k8s.core.v1.Secret(
                f"{name}-env",
                metadata={"name": server_env_secret(args.release_name), **secret},
                type="Opaque",
                string_data={k: pulumi.Output.secret(v) for k, v in args.secret_env.items()},
                opts=child_opts(self),
            )
        service_account = k8s.core.v1.ServiceAccount(
            f"{name}-service-account",
            metadata={"name": server_fullname(args.release_name), **secret},
            # The server calls no Kubernetes API: no token in its pods.
            automount_service_account_token=False,
            opts=child_opts(self),
        )
        if args.exposure.stack_gateway and args.exposure.tls_secret:
            self._certificate_grant(name, args, namespace.name, labels)
        # Rotating a key, a secret variable or a store password rolls the pods.
        checksum = rollout_checksum(
            rollout_key(self, name),
            [
                args.license_key,
                args.api_key,
                postgres_uri,
                redis_uri,
                *(args.secret_env[k] for k in sorted(args.secret_env)),
            ],
        )
        self.release = k8s.helm.v3.Release(
            f"{name}-chart",
            name=args.release_name,
            namespace=namespace.name,
            values=server_values(
                args,
                keys_secret=keys.metadata.name,
                stores_secret=stores.metadata.name,
                env_secret=env_secret.metadata.name if env_secret else None,
                service_account=service_account.metadata.name,
                checksum=checksum,
            ),
            skip_await=args.skip_await,
            timeout=900,
            **release_chart(args.chart),
            opts=child_opts(self, depends_on=[namespace, self.postgres, self.redis]),
        )
        self.register_outputs({"namespace": self.namespace, "release": args.release_name})

    def _certificate_grant(
        self,
        name: str,
        args: AgentServerArgs,
        namespace: pulumi.Output[str],
        labels: Mapping[str, str],
    ) -> None:
        """The stack's Gateway terminates TLS with the server's certificate, which lives in the
        server's namespace: a ReferenceGrant lets exactly that Gateway read exactly that
        Secret (Gateway API refuses cross-namespace references without one)."""
        exposure = args.exposure
        k8s.apiextensions.CustomResource(
            f"{name}-certificate-grant",
            api_version="gateway.networking.k8s.io/v1beta1",
            kind="ReferenceGrant",
            metadata={
                "name": server_certificate_grant(args.release_name),
                "namespace": namespace,
                "labels": dict(labels),
            },
            spec={
                "from": [
                    {
                        "group": "gateway.networking.k8s.io",
                        "kind": "Gateway",
                        "namespace": exposure.gateway_namespace,
                    }
                ],
                "to": [{"group": "", "kind": "Secret", "name": exposure.tls_secret}],
            },
            opts=child_opts(self),
        )
