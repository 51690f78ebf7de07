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
from typing import Any, Literal

import pulumi
import pulumi_kubernetes as k8s

from components._common import base_labels, child_opts
from components.aws_network import AwsNetwork
from components.namespace import Namespace, NamespaceArgs, QuotaArgs
from components.postgres import Postgres, PostgresArgs
from components.redis import Redis, RedisArgs
from components.registration import ListenerRegistration, ListenerRegistrationArgs
from langsmith_dataplane.control_plane import ControlPlaneEndpoints
from langsmith_dataplane.naming import MANAGED_BY
from langsmith_dataplane.topology.schema import Postgres as PostgresSpec
from langsmith_dataplane.topology.schema import Redis as RedisSpec
from langsmith_dataplane.versions import LISTENER_CHART, ChartRef

API_KEY_SECRET_KEY = "langsmith_api_key"


@dataclass(frozen=True)
class Exposure:
    """How Agent Servers are reached: exactly one of the chart's ingress, gateway, istioGateway.

    `tls`: the exposure serves HTTPS (the operator's `TLS_ENABLED` must say what is served);
    `tls_secret`: the certificate Secret of a plain Ingress.
    """

    kind: Literal["ingress", "gateway", "istio"]
    hostname: str = ""
    gateway_name: str = ""
    gateway_namespace: str = ""
    ingress_class: str = ""
    tls: bool = False
    tls_secret: str = ""


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
    listener_id: str | None = None
    quota: QuotaArgs | None = None
    network: AwsNetwork | None = None
    chart: ChartRef = LISTENER_CHART
    protect: bool = False
    skip_await: bool = False


def helm_values(
    args: ListenerArgs,
    *,
    listener_id: pulumi.Input[str],
    api_key_secret: pulumi.Input[str],
    redis_secret: pulumi.Input[str],
) -> dict[str, Any]:
    """The chart values. Every path must exist in the chart's values.yaml (a test checks)."""
    exposure = args.exposure

    def route(kind: str) -> dict[str, Any]:
        return {
            "enabled": exposure.kind == kind,
            "name": exposure.gateway_name,
            "namespace": exposure.gateway_namespace,
            "hostname": exposure.hostname,
        }

    ingress: dict[str, Any] = {
        "enabled": exposure.kind == "ingress",
        "hostname": exposure.hostname,
        "ingressClassName": exposure.ingress_class,
        "tlsEnabled": exposure.tls,  # the operator's TLS_ENABLED, in every exposure mode
    }
    if exposure.kind == "ingress" and exposure.tls_secret:
        ingress["tls"] = [{"hosts": [exposure.hostname], "secretName": exposure.tls_secret}]
    # The chart sets app.kubernetes.io/managed-by itself (Helm): ours would be a duplicate key.
    labels = {
        k: v
        for k, v in base_labels(workspace=args.workspace_key, listener=args.release_name).items()
        if k != "app.kubernetes.io/managed-by"
    }
    return {
        "config": {
            "existingSecretName": api_key_secret,
            "langsmithWorkspaceId": args.workspace_id,
            "langgraphListenerId": listener_id,
            "hostBackendUrl": args.control_plane.host_backend_url,
            "smithBackendUrl": args.control_plane.smith_backend_url,
            "watchNamespaces": ",".join(args.watch_namespaces),
            "hostQueue": args.host_queue,
            # GET /ok on each Agent Server goes through the hostname: without one it cannot work.
            "enableLGPDeploymentHealthCheck": bool(exposure.hostname),
        },
        # The cluster owns the CRD (cluster_addons.operator_crds), never a release.
        "operator": {"createCRDs": False, "kedaEnabled": True},
        "ingress": ingress,
        "gateway": route("gateway"),
        "istioGateway": route("istio"),
        "redis": {"external": {"enabled": True, "existingSecretName": redis_secret}},
        "commonLabels": {**labels, "langsmith.com/managed-by": MANAGED_BY},
    }


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
        self._deployment_secrets(name, args, watched, labels)

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

        chart_opts: dict[str, Any] = {"chart": args.chart.chart}
        if args.chart.repo:
            chart_opts.update(version=args.chart.version, repository_opts={"repo": args.chart.repo})
        elif args.chart.version:
            chart_opts.update(version=args.chart.version)
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
            **chart_opts,
            opts=child_opts(self, depends_on=[*watched.values(), *self.stores]),
        )
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
    ) -> None:
        """One Secret per deployment in each watched namespace: `envFrom` it in the deployment."""
        if self.postgres is None:
            return
        for ns, namespace in watched.items():
            for deployment in sorted(args.deployments):
                k8s.core.v1.Secret(
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
