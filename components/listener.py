"""`Listener`: one `langgraph-dataplane` release and everything it needs in its cluster.

Children: the release namespace (one per release with Gateway API or Istio; with plain Ingress
the release shares the listener's one watched namespace, see `stack_slice`), the watched
namespaces, the Redis the listener uses, the Postgres its Agent Server deployments use (only
when it has deployments), the Secret holding the workspace's API key (`config.existingSecretName`,
so the key is never in Helm values), one Secret of backing-store URIs per deployment in each
watched namespace, the control plane registration (unless the topology gives `listenerId`), and
the Helm release. The operator's CRD belongs to the cluster (`operator_crd.operator_crd`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components._common import base_labels, child_opts
from components.agent_deployment import (
    AgentDeployment,
    AgentDeploymentArgs,
    AgentDeploymentInput,
)
from components.aws_network import AwsNetwork
from components.exposure import Exposure
from components.helm_history import ClusterAccess
from components.helm_release import guarded_release
from components.listener_values import helm_values
from components.namespace import Namespace, NamespaceArgs, QuotaArgs
from components.postgres import Postgres, PostgresArgs, PostgresStore
from components.redis import Redis, RedisArgs, RedisStore
from components.registration import ListenerRegistration, ListenerRegistrationArgs
from components.rollout import rollout_checksum, rollout_key
from langsmith_dataplane.control_plane import ControlPlaneEndpoints
from langsmith_dataplane.naming import (
    deployment_env_secret,
    deployment_stores_secret,
    listener_api_key_secret,
)
from langsmith_dataplane.versions import LISTENER_CHART, ChartRef

API_KEY_SECRET_KEY = "langsmith_api_key"


@dataclass(frozen=True)
class ListenerArgs:
    """Everything one listener release needs; built from a `ListenerPlan` by the program."""

    release_name: str
    release_namespace: str
    workspace_key: str
    workspace_id: pulumi.Input[str]
    api_key: pulumi.Input[str]
    compute_id: str
    watch_namespaces: Sequence[str]
    control_plane: ControlPlaneEndpoints
    host_queue: str
    exposure: Exposure
    postgres: PostgresStore
    redis: RedisStore
    deployments: Mapping[str, int] = field(default_factory=dict)
    # Each deployment's namespace: its Secrets live there and nowhere else.
    deployment_namespaces: Mapping[str, str] = field(default_factory=dict)
    agent_deployments: Mapping[str, AgentDeploymentInput] = field(default_factory=dict)
    wait_for_revisions: bool = True
    revision_timeout: float = 1800.0
    listener_id: str | None = None
    adopt: str | None = None  # an existing registration with the compute id to take over
    quota: QuotaArgs | None = None
    network: AwsNetwork | None = None
    chart: ChartRef = LISTENER_CHART
    protect: bool = False
    skip_await: bool = False
    cluster_access: ClusterAccess | None = None  # for the release's guard (`helm_release`)


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
                    store=args.postgres,
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
                store=args.redis,
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
                "name": listener_api_key_secret(args.release_name),
                "namespace": release_ns.name,
                "labels": labels,
            },
            type="Opaque",
            string_data={API_KEY_SECRET_KEY: pulumi.Output.secret(args.api_key)},
            opts=child_opts(self),
        )
        key = rollout_key(self, name)
        stores_secrets = self._deployment_secrets(name, args, watched, labels)
        env_secrets = self._env_secrets(name, args, watched, labels)
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
                    adopt=args.adopt,
                ),
                opts=child_opts(self),
            )
            # The registration's id is the listener id, and an id stays known across an
            # in-place update (Pulumi's Python dynamic provider ignores `stables`): a preview
            # that only adds a namespace shows the release's listenerId unchanged.
            self.listener_id = registration.id
        self.release = guarded_release(
            self,
            f"{name}-chart",
            release=args.release_name,
            namespace=release_ns.name,
            chart=args.chart,
            access=args.cluster_access,
            values=helm_values(
                args,
                listener_id=self.listener_id,
                api_key_secret=api_key_secret.metadata.name,
                redis_secret=self.redis.connection_secret_name,
                # A rotated API key or Redis password restarts the listener.
                checksum=rollout_checksum(key, [args.api_key, self.redis.listener_uri]),
            ),
            skip_await=args.skip_await,
            timeout=900,
            depends_on=[*watched.values(), *self.stores],
        )
        self.agent_deployments = {
            deployment: self._agent_deployment(
                name, args, deployment, spec, stores_secrets, env_secrets, key
            )
            for deployment, spec in sorted(args.agent_deployments.items())
        }
        postgres = self.postgres
        deployments = sorted(args.deployments)
        # One flat `Output.all` of strings, not `from_input` of nested dicts (Outputs per level).
        no_postgres = dict.fromkeys(deployments, "")
        pg = postgres.deployment_uris if postgres else no_postgres
        flat = [u for d in deployments for u in (pg[d], self.redis.deployment_uris[d])]
        resolved = pulumi.Output.all(*flat).apply(
            lambda uris: {
                d: {"POSTGRES_URI_CUSTOM": uris[2 * i], "REDIS_URI_CUSTOM": uris[2 * i + 1]}
                for i, d in enumerate(deployments)
            }
        )
        self.deployment_uris = pulumi.Output.secret(resolved)
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

    def _agent_deployment(
        self,
        name: str,
        args: ListenerArgs,
        deployment: str,
        spec: AgentDeploymentInput,
        stores_secrets: Mapping[str, k8s.core.v1.Secret],
        env_secrets: Mapping[str, k8s.core.v1.Secret],
        key: pulumi.Output[str],
    ) -> AgentDeployment:
        stores, env = stores_secrets[deployment], env_secrets.get(deployment)
        secret_values = [spec.secret_env[k] for k in sorted(spec.secret_env)]
        uris = self.deployment_store_uris(deployment)
        return AgentDeployment(
            f"{name}-agent-{deployment}",
            AgentDeploymentArgs(
                base_url=args.control_plane.host_backend_url,
                workspace_id=args.workspace_id,
                api_key=args.api_key,
                name=deployment,
                listener_id=self.listener_id,
                namespace=args.deployment_namespaces[deployment],
                image=spec.image,
                stores_secret=stores.metadata.name,
                env=spec.env,
                secret_env_keys=sorted(spec.secret_env),
                env_secret=env.metadata.name if env is not None else None,
                # A rotated store password or secret value is a new revision.
                checksum=rollout_checksum(key, [*uris, *secret_values]),
                resource_spec=spec.resource_spec,
                custom_url=spec.custom_url,
                wait=args.wait_for_revisions,
                wait_timeout=args.revision_timeout,
                managed_by=spec.managed_by,
                adopt=spec.adopt,
                delete_tracing_project=spec.delete_tracing_project,
            ),
            # The operator needs its release, and the deployment its Secrets.
            opts=child_opts(
                self,
                depends_on=[self.release, stores, *([env] if env is not None else [])],
            ),
        )

    def deployment_store_uris(self, deployment: str) -> list[pulumi.Output[str]]:
        postgres = [self.postgres.deployment_uris[deployment]] if self.postgres else []
        return [*postgres, self.redis.deployment_uris[deployment]]

    def _deployment_secret(
        self,
        name: str,
        args: ListenerArgs,
        watched: Mapping[str, Namespace],
        labels: Mapping[str, str],
        deployment: str,
        *,
        kind: str,
        secret_name: str,
        data: Mapping[str, pulumi.Input[str]],
    ) -> k8s.core.v1.Secret:
        """A Secret of one deployment, in its own namespace only (another deployment's namespace
        never holds it): deployments created through the API read it by reference."""
        ns = args.deployment_namespaces[deployment]
        return k8s.core.v1.Secret(
            f"{name}-ns-{ns}-{deployment}-{kind}",
            metadata={
                "name": secret_name,
                "namespace": watched[ns].name,
                "labels": {**labels, "langsmith.com/deployment": deployment},
            },
            type="Opaque",
            string_data=dict(data),
            opts=child_opts(self),
        )

    def _deployment_secrets(
        self,
        name: str,
        args: ListenerArgs,
        watched: Mapping[str, Namespace],
        labels: Mapping[str, str],
    ) -> dict[str, k8s.core.v1.Secret]:
        """Each deployment's store URIs (`POSTGRES_URI_CUSTOM`, `REDIS_URI_CUSTOM`)."""
        if self.postgres is None:
            return {}
        postgres = self.postgres
        return {
            deployment: self._deployment_secret(
                name,
                args,
                watched,
                labels,
                deployment,
                kind="stores",
                secret_name=deployment_stores_secret(deployment),
                data={
                    "POSTGRES_URI_CUSTOM": postgres.deployment_uris[deployment],
                    "REDIS_URI_CUSTOM": self.redis.deployment_uris[deployment],
                },
            )
            for deployment in sorted(args.deployments)
        }

    def _env_secrets(
        self,
        name: str,
        args: ListenerArgs,
        watched: Mapping[str, Namespace],
        labels: Mapping[str, str],
    ) -> dict[str, k8s.core.v1.Secret]:
        """Each deployment's `secretEnv` values."""
        return {
            deployment: self._deployment_secret(
                name,
                args,
                watched,
                labels,
                deployment,
                kind="env",
                secret_name=deployment_env_secret(deployment),
                data={k: pulumi.Output.secret(v) for k, v in spec.secret_env.items()},
            )
            for deployment, spec in sorted(args.agent_deployments.items())
            if spec.secret_env
        }
