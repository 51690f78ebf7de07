"""The langgraph-cloud chart values of one standalone Agent Server: pods, hardening, spreading.

Keys and store URIs are read from Secrets, the chart's own stores are off, and the API server's
Service is ClusterIP (the chart's default is a public LoadBalancer).
"""

from __future__ import annotations

from typing import Any

import pulumi

from components._common import chart_labels
from components.agent_server_args import (
    AgentServerArgs,
    ServerResources,
)
from components.exposure import exposure_values
from components.rollout import ANNOTATION
from langsmith_dataplane.naming import (
    SERVER_API_SUFFIX,
    SERVER_QUEUE_SUFFIX,
    server_fullname,
)
from langsmith_dataplane.quantity import doubled

LICENSE_KEY = "langgraph_cloud_license_key"


API_KEY = "api_key"


# langgraph-api drains background runs for BG_JOB_SHUTDOWN_GRACE_PERIOD_SECS (180 s) after
# SIGTERM; the chart's 30 s would kill in-flight runs on every image bump.
TERMINATION_GRACE_SECONDS = 195


CONTAINER_SECURITY = {
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


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
    workload: dict[str, Any] = {
        "env": env,
        "checksum": checksum,
        "service_account": service_account,
    }
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
