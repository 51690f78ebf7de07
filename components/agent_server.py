"""`AgentServer`: a standalone Agent Server (chart `langgraph-cloud`) that traces to LangSmith.

LangSmith's hybrid model for new customers since 2026-05: no listener, no operator, no control
plane registration. Children: its namespace, its own Postgres (one database) and Redis (the same
components listeners use), the Secret holding the license key and the workspace API key
(`config.existingSecretName`: never in values), the Secret of store URIs the chart reads
(`postgres.external` / `redis.external`), a Secret for `secretEnv`, and the Helm release.
Egress is declared by the cluster's `Egress` component like every other namespace.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._common import base_labels, chart_labels, child_opts, release_chart
from components.aws_network import AwsNetwork
from components.listener_values import Exposure, exposure_values
from components.namespace import Namespace, NamespaceArgs
from components.postgres import Postgres, PostgresArgs
from components.redis import Redis, RedisArgs
from langsmith_dataplane.topology.schema import AgentServer as AgentServerSpec
from langsmith_dataplane.versions import AGENT_SERVER_CHART, ChartRef

LICENSE_KEY = "langgraph_cloud_license_key"
API_KEY = "api_key"
REDIS_DB = 1


@dataclass(frozen=True)
class AgentServerArgs:
    release_name: str
    spec: AgentServerSpec
    workspace_key: str
    api_key: pulumi.Input[str]
    license_key: pulumi.Input[str]
    secret_env: Mapping[str, pulumi.Input[str]]
    trace_endpoint: str
    exposure: Exposure
    network: AwsNetwork | None = None
    chart: ChartRef = AGENT_SERVER_CHART
    protect: bool = False
    skip_await: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)


def image_parts(image: str) -> tuple[str, str]:
    """`registry/path:tag` -> (`registry/path`, `tag`): the chart joins them with ':'."""
    repository, _, tag = image.rpartition(":")
    return repository, tag


def server_values(
    args: AgentServerArgs,
    *,
    keys_secret: pulumi.Input[str],
    stores_secret: pulumi.Input[str],
    env_secret: pulumi.Input[str] | None,
) -> dict[str, Any]:
    """The chart values. Keys and URIs are read from Secrets; the chart's own stores are off."""
    spec, exposure = args.spec, args.exposure
    repository, tag = image_parts(spec.image)
    env: list[dict[str, Any]] = [{"name": "LANGSMITH_ENDPOINT", "value": args.trace_endpoint}]
    env += [{"name": k, "value": v} for k, v in sorted(spec.env.items())]
    env += [
        {"name": k, "valueFrom": {"secretKeyRef": {"name": env_secret, "key": k}}}
        for k in sorted(spec.secret_env)
    ]
    cpu, memory = spec.resources.cpu, spec.resources.memory
    resources = {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}}
    hostname = spec.hostname or ""
    return {
        "images": {"apiServerImage": {"repository": repository, "tag": tag}},
        "config": {"existingSecretName": keys_secret},
        "apiServer": {
            "deployment": {"replicaCount": spec.replicas, "resources": resources, "extraEnv": env}
        },
        "queue": {
            "enabled": spec.queue.enabled,
            "deployment": {
                "replicaCount": spec.queue.replicas,
                "resources": resources,
                "extraEnv": env,
            },
        },
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
        spec = args.spec
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
                in_cluster=spec.postgres.in_cluster,
                rds=spec.postgres.rds,
                **store_args,
            ),
            opts=child_opts(self),
        )
        self.redis = Redis(
            f"{name}-redis",
            RedisArgs(
                deployments={args.release_name: REDIS_DB},
                in_cluster=spec.redis.in_cluster,
                elasticache=spec.redis.elasticache,
                **store_args,
            ),
            opts=child_opts(self),
        )
        secret = {"namespace": namespace.name, "labels": labels}
        keys = k8s.core.v1.Secret(
            f"{name}-keys",
            metadata={"name": f"{args.release_name}-langgraph-keys", **secret},
            type="Opaque",
            string_data={
                LICENSE_KEY: pulumi.Output.secret(args.license_key),
                API_KEY: pulumi.Output.secret(args.api_key),
            },
            opts=child_opts(self),
        )
        stores = k8s.core.v1.Secret(
            f"{name}-stores",
            metadata={"name": f"{args.release_name}-stores", **secret},
            type="Opaque",
            string_data={
                "postgres_connection_url": self.postgres.deployment_uris[args.release_name],
                "redis_connection_url": self.redis.deployment_uris[args.release_name],
            },
            opts=child_opts(self),
        )
        env_secret = None
        if args.secret_env:
            env_secret = k8s.core.v1.Secret(
                f"{name}-env",
                metadata={"name": f"{args.release_name}-env", **secret},
                type="Opaque",
                string_data={k: pulumi.Output.secret(v) for k, v in args.secret_env.items()},
                opts=child_opts(self),
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
            ),
            skip_await=args.skip_await,
            timeout=900,
            **release_chart(args.chart),
            opts=child_opts(self, depends_on=[namespace, self.postgres, self.redis]),
        )
        self.register_outputs({"namespace": self.namespace, "release": args.release_name})
