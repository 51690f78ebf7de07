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
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._common import base_labels, child_opts
from components.agent_server_args import (
    AgentServerArgs,
)
from components.agent_server_values import (
    API_KEY,
    LICENSE_KEY,
    server_values,
)
from components.helm_release import guarded_release
from components.namespace import Namespace, NamespaceArgs
from components.postgres import Postgres, PostgresArgs
from components.redis import Redis, RedisArgs
from components.rollout import rollout_checksum, rollout_key
from langsmith_dataplane.naming import (
    server_certificate_grant,
    server_env_secret,
    server_fullname,
    server_keys_secret,
    server_stores_secret,
)

REDIS_DB = 1


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
        store_args: dict[str, Any] = {
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
        self.release = guarded_release(
            self,
            f"{name}-chart",
            release=args.release_name,
            namespace=namespace.name,
            chart=args.chart,
            access=args.cluster_access,
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
            depends_on=[namespace, self.postgres, self.redis],
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
