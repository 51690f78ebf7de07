"""A listener target -> the `Listener` component, its deployments, and its namespaces' policies."""

from __future__ import annotations

from typing import Any

import pulumi

from components.agent_deployment import AgentDeploymentInput
from components.cluster import Cluster
from components.egress import Destination, EgressNamespace
from components.exposure import Exposure
from components.ingress_policies import IngressNamespace
from components.listener import Listener, ListenerArgs
from components.namespace import QuotaArgs
from langsmith_dataplane.naming import (
    deployment_owner,
    release_policies_key,
    watched_policies_key,
)
from langsmith_dataplane.stack_slice import ClusterTarget, ListenerTarget, StackSlice
from langsmith_dataplane.wiring.clusters import exposure_through
from langsmith_dataplane.wiring.component_args import postgres_store, redis_store
from langsmith_dataplane.wiring.options import ApiKeyLookup, ProgramOptions
from langsmith_dataplane.wiring.stores import ANY_NAMESPACE, store_access, store_destinations
from langsmith_dataplane.wiring.workspaces import WorkloadCredentials


def _quota(plan: ListenerTarget) -> QuotaArgs | None:
    quota = plan.spec.resource_quota
    return QuotaArgs(quota.cpu, quota.memory, quota.pods) if quota else None


AGENT_SERVER_PORT = 8000  # the Agent Server container's port (the operator's Services target it)


def exposure(cluster_plan: ClusterTarget, cluster: Cluster) -> Exposure:
    """The cluster's exposure as the listeners use it (its hostname and certificate)."""
    spec = cluster_plan.spec
    return exposure_through(cluster_plan, cluster, spec.hostname, spec.tls)


def health_check(
    plan: ListenerTarget, cluster_plan: ClusterTarget, cluster: Cluster
) -> pulumi.Output[list[dict[str, Any]]] | None:
    """Egress for the listener's GET /ok through the hostname, and nothing else.

    The hostname resolves to the exposure's load balancer; inside the cluster, Service address
    translation hands the connection to the proxy pods (or straight to the Agent Server pods),
    which is what NetworkPolicies see. On EKS an internal load balancer's addresses are in the
    VPC. No hostname: the health check is off and nothing is allowed.
    """
    if not cluster_plan.spec.hostname:
        return None
    target = cluster.exposure
    rules: list[Any] = []
    if target.proxy_namespace:
        rules.append(
            {
                "to": [_namespace_peer(target.proxy_namespace)],
                "ports": [{"protocol": "TCP", "port": p} for p in target.proxy_ports],
            }
        )
    rules.append(
        {
            "to": [_namespace_peer(ns) for ns in plan.watch_namespaces],
            "ports": [{"protocol": "TCP", "port": AGENT_SERVER_PORT}],
        }
    )
    if cluster.network is not None:
        rules.append(
            pulumi.Output.from_input(cluster.network.vpc_cidr).apply(
                lambda cidr: {
                    "to": [{"ipBlock": {"cidr": cidr}}],
                    "ports": [{"protocol": "TCP", "port": p} for p in (80, 443)],
                }
            )
        )
    return pulumi.Output.all(*rules)


def _namespace_peer(namespace: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def _agent_deployments(
    plan: ListenerTarget, stack: str, secret: ApiKeyLookup
) -> dict[str, AgentDeploymentInput]:
    """The deployments with an `image`: created through the control plane API."""
    out = {}
    for name, deployment in plan.spec.deployments.items():
        if deployment.image is None:
            continue
        out[name] = AgentDeploymentInput(
            image=deployment.image,
            env=dict(deployment.env),
            secret_env={env: secret(key) for env, key in deployment.secret_env.items()},
            resource_spec=_resource_spec(deployment),
            custom_url=deployment.custom_url,
            managed_by=deployment_owner(stack, name),
            adopt=deployment.adopt,
            delete_tracing_project=deployment.delete_tracing_project,
        )
    return out


def _resource_spec(deployment: Any) -> dict[str, Any] | None:
    """The API's `resource_spec`: replicas, CPU, memory and the image pull secrets."""
    spec = deployment.resources.model_dump(exclude_none=True) if deployment.resources else {}
    if deployment.image_pull_secrets:
        spec["image_pull_secrets"] = [{"name": n} for n in deployment.image_pull_secrets]
    return spec or None


def build_listener(
    plan: ListenerTarget,
    cluster_plan: ClusterTarget,
    cluster: Cluster,
    slice_: StackSlice,
    credentials: WorkloadCredentials,
    secret: ApiKeyLookup,
    options: ProgramOptions,
    providers: list[pulumi.ProviderResource],
) -> Listener:
    spec = plan.spec
    args = ListenerArgs(
        release_name=plan.release_name,
        release_namespace=plan.release_namespace,
        workspace_key=plan.workspace_key,
        workspace_id=credentials.workspace_id,
        api_key=credentials.api_key,
        compute_id=plan.compute_id,
        watch_namespaces=plan.watch_namespaces,
        control_plane=slice_.control_plane,
        host_queue=plan.host_queue,
        exposure=exposure(cluster_plan, cluster),
        postgres=postgres_store(spec.postgres),
        redis=redis_store(spec.redis),
        deployments={name: d.redis_db for name, d in spec.deployments.items()},
        deployment_namespaces={
            name: d.namespace or plan.watch_namespaces[0] for name, d in spec.deployments.items()
        },
        agent_deployments=_agent_deployments(plan, slice_.stack, secret),
        wait_for_revisions=options.wait_for_revisions,
        revision_timeout=options.revision_timeout,
        listener_id=spec.listener_id,
        adopt=spec.adopt,
        quota=_quota(plan),
        network=cluster.network,
        chart=options.chart,
        protect=slice_.protect,
        skip_await=options.skip_await,
        cluster_access=cluster.access,
    )
    aliases = [pulumi.Alias(name=spec.renamed_from)] if spec.renamed_from else None
    # In a protect stack every child inherits `protect`: Pulumi deletes unprotected resources
    # of a removed listener (its release, Secrets, registration) even when a protected sibling
    # stops the update, so protecting only the stateful ones would half-remove the listener.
    return Listener(
        plan.key,
        args,
        opts=pulumi.ResourceOptions(
            providers=providers, aliases=aliases, protect=slice_.protect or None
        ),
    )


def listener_stores(listener: Listener, cluster: Cluster) -> tuple[Destination, ...]:
    """Where the listener's Postgres and Redis are, for the egress policies."""
    return store_destinations(
        (("postgres", listener.postgres), ("redis", listener.redis)),
        listener.release_namespace,
        cluster,
    )


def listener_ingress(
    plan: ListenerTarget, listener: Listener, cluster: Cluster, keda: bool
) -> list[IngressNamespace]:
    """Ingress for a listener's namespaces: its stores from its deployments' namespaces (and
    KEDA), its Agent Servers from the exposure's proxies and its own release namespace."""
    owner = {"langsmith.com/listener": plan.release_name}
    renamed = plan.spec.renamed_from
    proxies: list[pulumi.Input[str]] = [cluster.exposure.proxy_namespace or ANY_NAMESPACE]
    clients: list[pulumi.Input[str]] = [listener.namespaces[ns] for ns in plan.watch_namespaces]
    if keda:
        clients.append("keda")
    stores = store_access((("postgres", listener.postgres), ("redis", listener.redis)), clients)
    out = []
    if not plan.release_in_watched_namespace:
        out.append(
            IngressNamespace(
                key=release_policies_key(plan.key),
                namespace=listener.release_namespace,
                owner=owner,
                stores=stores,
                previous_key=release_policies_key(renamed) if renamed else None,
            )
        )
    for ns in plan.watch_namespaces:
        shared = ns == plan.release_namespace
        callers = proxies if shared else [*proxies, listener.release_namespace]
        out.append(
            IngressNamespace(
                key=watched_policies_key(plan.key, ns),
                namespace=listener.namespaces[ns],
                owner=owner,
                agent_callers=callers,
                stores=stores if shared else (),
                previous_key=watched_policies_key(renamed, ns) if renamed else None,
            )
        )
    return out


def listener_egress(
    plan: ListenerTarget, listener: Listener, cluster_plan: ClusterTarget, cluster: Cluster
) -> list[EgressNamespace]:
    """Egress for the listener's release namespace (when it has its own) and each watched one:
    its stores, the control plane, and the health check through the hostname."""
    stores = listener_stores(listener, cluster)
    renamed = plan.spec.renamed_from
    health = health_check(plan, cluster_plan, cluster)
    out = []
    if not plan.release_in_watched_namespace:
        out.append(
            EgressNamespace(
                key=release_policies_key(plan.key),
                namespace=listener.release_namespace,
                roles=frozenset({"release"}),
                listener=plan.release_name,
                stores=stores,
                previous_key=release_policies_key(renamed) if renamed else None,
                health_check=health,
            )
        )
    for ns in sorted(plan.watch_namespaces):
        shared = ns == plan.release_namespace
        out.append(
            EgressNamespace(
                key=watched_policies_key(plan.key, ns),
                namespace=listener.namespaces[ns],
                roles=frozenset({"agents", "release"} if shared else {"agents"}),
                listener=plan.release_name,
                stores=stores,
                previous_key=watched_policies_key(renamed, ns) if renamed else None,
                health_check=health if shared else None,
            )
        )
    return out


def listener_output(
    plan: ListenerTarget, listener: Listener, cluster_plan: ClusterTarget
) -> dict[str, Any]:
    """The listener's entry in the stack output `listeners`."""
    return {
        "cluster": cluster_plan.name,
        "workspace": plan.workspace_key,
        "listenerId": listener.listener_id,
        "computeId": plan.compute_id,
        "releaseName": plan.release_name,
        "releaseNamespace": listener.release_namespace,
        "watchNamespaces": list(plan.watch_namespaces),
        "healthCheck": bool(cluster_plan.spec.hostname),
        "postgresEndpoint": (
            pulumi.Output.format("{0}:{1}", listener.postgres.host, listener.postgres.port)
            if listener.postgres is not None
            else None
        ),
        "redisEndpoint": pulumi.Output.format("{0}:{1}", listener.redis.host, listener.redis.port),
        "deploymentUris": listener.deployment_uris,
    }
