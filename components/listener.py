"""`Listener`: one `langgraph-dataplane` release and everything it needs in its cluster.

Children: the release namespace (one per release with Gateway API or Istio; with plain Ingress
the release shares the listener's one watched namespace, see `stack_slice`), the watched
namespaces, the Redis the listener uses, the Postgres its Agent Server deployments use (only
when it has deployments), the Secret holding the workspace's API key (`config.existingSecretName`,
so the key is never in Helm values), one Secret of backing-store URIs per deployment in each
watched namespace, the control plane registration (unless the topology gives `listenerId`), and
the Helm release. The operator's CRD belongs to the cluster (`cluster_addons.operator_crds`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._common import base_labels, child_opts, release_chart
from components.agent_deployment import AgentDeployment, AgentDeploymentArgs
from components.aws_network import AwsNetwork
from components.listener_values import Exposure, helm_values
from components.namespace import Namespace, NamespaceArgs, QuotaArgs
from components.postgres import Postgres, PostgresArgs
from components.redis import Redis, RedisArgs
from components.registration import ListenerRegistration, ListenerRegistrationArgs
from langsmith_dataplane.control_plane import ControlPlaneEndpoints
from langsmith_dataplane.topology.schema import Postgres as PostgresSpec
from langsmith_dataplane.topology.schema import Redis as RedisSpec
from langsmith_dataplane.versions import LISTENER_CHART, ChartRef

API_KEY_SECRET_KEY = "langsmith_api_key"


@dataclass(frozen=True)
class AgentDeploymentInput:
    """A deployment the control plane creates (`image` set in the topology)."""

    namespace: str
    image: str
    env: Mapping[str, str] = field(default_factory=dict)
    secret_env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    resource_spec: Mapping[str, Any] | None = None
    custom_url: str | None = None


@dataclass(frozen=True)
class ListenerArgs:
    """Everything one listener release needs; built from a `ListenerPlan` by the program."""

    release_name: str
    release_namespace: str
    workspace_key: str
    workspace_id: str
    api_key: pulumi.Input[str]
    cluster: str
    compute_id: str
    watch_namespaces: Sequence[str]
    control_plane: ControlPlaneEndpoints
    host_queue: str
    exposure: Exposure
    postgres: PostgresSpec
    redis: RedisSpec
    deployments: Mapping[str, int] = field(default_factory=dict)
    agent_deployments: Mapping[str, AgentDeploymentInput] = field(default_factory=dict)
    wait_for_revisions: bool = True
    listener_id: str | None = None
    quota: QuotaArgs | None = None
    network: AwsNetwork | None = None
    chart: ChartRef = LISTENER_CHART
    protect: bool = False
    skip_await: bool = False


class Listener(pulumi.ComponentResource):
    listener_id: pulumi.Output[str]
    release_namespace: pulumi.Output[str]
    watch_namespaces: list[str]
    namespaces: dict[str, pulumi.Output[str]]
    postgres: Postgres | None
    redis: Redis
    deployment_uris: pulumi.Output[dict[str, dict[str, str]]]
    release: k8s.helm.v3.Release

    def __init__(
        self, name: str, args: ListenerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("langsmith:index:Listener", name, None, opts)
        labels = base_labels(workspace=args.workspace_key, listener=args.release_name)
        watched = {
            ns: Namespace(
                f"{name}-ns-{ns}",
                NamespaceArgs(
                    ns,
                    labels={**labels, "langsmith.com/role": "agents"},
                    quota=args.quota,
                    protect=args.protect,  # the operator keeps per-deployment Postgres volumes here
                ),
                opts=child_opts(self),
            )
            for ns in sorted(args.watch_namespaces)
        }
        if args.release_namespace in watched:  # plain Ingress: the release joins the agents
            release_ns = watched[args.release_namespace]
        else:
            release_ns = Namespace(
                f"{name}-release-ns",
                NamespaceArgs(
                    args.release_namespace,
                    labels={**labels, "langsmith.com/role": "release"},
                    protect=args.protect,
                ),
                opts=child_opts(self),
            )
        self.release_namespace = release_ns.name
        self.watch_namespaces = list(args.watch_namespaces)
        self.namespaces = {ns: namespace.name for ns, namespace in watched.items()}
        # Only Agent Server deployments use Postgres (the operator gives the others their own).
        self.postgres = None
        if args.deployments:
            self.postgres = Postgres(
                f"{name}-postgres",
                PostgresArgs(
                    identity=args.release_name,
                    namespace=release_ns.name,
                    deployments=sorted(args.deployments),
                    in_cluster=args.postgres.in_cluster,
                    rds=args.postgres.rds,
                    network=args.network,
                    labels=labels,
                    protect=args.protect,
                    skip_await=args.skip_await,
                ),
                opts=child_opts(self),
            )
        self.redis = Redis(
            f"{name}-redis",
            RedisArgs(
                identity=args.release_name,
                namespace=release_ns.name,
                deployments=dict(args.deployments),
                in_cluster=args.redis.in_cluster,
                elasticache=args.redis.elasticache,
                network=args.network,
                labels=labels,
                protect=args.protect,
                skip_await=args.skip_await,
            ),
            opts=child_opts(self),
        )
        api_key_secret = k8s.core.v1.Secret(
            f"{name}-api-key",
            metadata={
                "name": f"{args.release_name}-langsmith-api-key",
                "namespace": release_ns.name,
                "labels": labels,
            },
            type="Opaque",
            string_data={API_KEY_SECRET_KEY: pulumi.Output.secret(args.api_key)},
            opts=child_opts(self),
        )
        stores_secrets = self._deployment_secrets(name, args, watched, labels)

        if args.listener_id is not None:
            self.listener_id = pulumi.Output.from_input(args.listener_id)
        else:
            registration = ListenerRegistration(
                f"{name}-registration",
                ListenerRegistrationArgs(
                    base_url=args.control_plane.host_backend_url,
                    workspace_id=args.workspace_id,
                    api_key=args.api_key,
                    compute_id=args.compute_id,
                    namespaces=list(args.watch_namespaces),
                ),
                opts=child_opts(self),
            )
            self.listener_id = registration.listener_id

        self.release = k8s.helm.v3.Release(
            f"{name}-chart",
            name=args.release_name,
            namespace=release_ns.name,
            values=helm_values(
                args,
                listener_id=self.listener_id,
                api_key_secret=api_key_secret.metadata.name,
                redis_secret=self.redis.connection_secret_name,
            ),
            skip_await=args.skip_await,
            timeout=900,
            **release_chart(args.chart),
            opts=child_opts(self, depends_on=[*watched.values(), *self.stores]),
        )
        self.agent_deployments = {
            deployment: AgentDeployment(
                f"{name}-agent-{deployment}",
                AgentDeploymentArgs(
                    base_url=args.control_plane.host_backend_url,
                    workspace_id=args.workspace_id,
                    api_key=args.api_key,
                    name=deployment,
                    listener_id=self.listener_id,
                    namespace=spec.namespace,
                    image=spec.image,
                    stores_secret=stores_secrets[(spec.namespace, deployment)].metadata.name,
                    env=spec.env,
                    secret_env=spec.secret_env,
                    resource_spec=spec.resource_spec,
                    custom_url=spec.custom_url,
                    wait=args.wait_for_revisions,
                ),
                # The operator needs its release, and the deployment its stores' Secret.
                opts=child_opts(
                    self,
                    depends_on=[self.release, stores_secrets[(spec.namespace, deployment)]],
                ),
            )
            for deployment, spec in sorted(args.agent_deployments.items())
        }
        postgres = self.postgres
        self.deployment_uris = pulumi.Output.secret(
            pulumi.Output.from_input(
                {
                    d: {
                        "POSTGRES_URI_CUSTOM": postgres.deployment_uris[d] if postgres else "",
                        "REDIS_URI_CUSTOM": self.redis.deployment_uris[d],
                    }
                    for d in sorted(args.deployments)
                }
            )
        )
        self.register_outputs(
            {
                "listenerId": self.listener_id,
                "releaseNamespace": self.release_namespace,
                "watchNamespaces": self.watch_namespaces,
            }
        )

    @property
    def stores(self) -> list[Postgres | Redis]:
        return [store for store in (self.postgres, self.redis) if store is not None]

    def _deployment_secrets(
        self,
        name: str,
        args: ListenerArgs,
        watched: Mapping[str, Namespace],
        labels: Mapping[str, str],
    ) -> dict[tuple[str, str], k8s.core.v1.Secret]:
        """One Secret per deployment in each watched namespace; deployments created through the
        API read it by reference (`secret_references`), never by value."""
        secrets: dict[tuple[str, str], k8s.core.v1.Secret] = {}
        if self.postgres is None:
            return secrets
        for ns, namespace in watched.items():
            for deployment in sorted(args.deployments):
                secrets[(ns, deployment)] = k8s.core.v1.Secret(
                    f"{name}-ns-{ns}-{deployment}-stores",
                    metadata={
                        "name": f"{deployment}-backing-stores",
                        "namespace": namespace.name,
                        "labels": {**labels, "langsmith.com/deployment": deployment},
                    },
                    type="Opaque",
                    string_data={
                        "POSTGRES_URI_CUSTOM": self.postgres.deployment_uris[deployment],
                        "REDIS_URI_CUSTOM": self.redis.deployment_uris[deployment],
                    },
                    opts=child_opts(self),
                )
        return secrets
