"""Standalone Agent Servers (chart langgraph-cloud)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.naming import (
    HELM_RELEASE_NAME_MAX,
    is_addon_namespace,
    is_reserved_namespace,
    release_namespace,
)
from langsmith_dataplane.quantity import parse_quantity, positive_quantity_problem
from langsmith_dataplane.sizing import MIN_POOL, RESERVED_CONNECTIONS, server_pods, server_pool_size
from langsmith_dataplane.suggest import Suggester
from langsmith_dataplane.topology.rules.deployments import (
    HOST_BACKEND_ENV,
    env_name_problem,
    image_problem,
    secret_name_problem,
)
from langsmith_dataplane.topology.rules.registry import (
    RFC1123_PATTERN,
    RuleContext,
    rule,
)
from langsmith_dataplane.topology.schema import (
    AgentServerSpec,
)
from langsmith_dataplane.topology.urls import hostname_problem

# What the stack or the chart sets on every standalone server; a user value would fight it.
SERVER_ENV = frozenset(
    {"POSTGRES_URI", "REDIS_URI", "DATABASE_URI", "LANGSMITH_API_KEY", "LANGSMITH_ENDPOINT"}
    | {"LANGGRAPH_CLOUD_LICENSE_KEY", "LANGSMITH_TRACING", "LANGSMITH_PROJECT"}
    | {"LANGSMITH_WORKSPACE_ID", "LANGGRAPH_POSTGRES_POOL_MAX_SIZE", "PORT", "N_JOBS_PER_WORKER"}
    | {"LANGGRAPH_AUTH_TYPE", "LANGSMITH_AUTH_ENDPOINT", "LANGSMITH_TENANT_ID"}
    | {"HTTP_MAX_REQUEST_BODY_BYTES"}
    | HOST_BACKEND_ENV
)


_PROJECT = re.compile(r"[^\x00-\x1f\x7f]{1,128}")


_LABEL_KEY = re.compile(
    r"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
)


_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")


# Gateway API allows 64 listeners per Gateway; the stack's uses one for the listeners' hostname.
GATEWAY_LISTENERS_MAX = 64


@rule("agent-server")
def agent_servers_are_deployable(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A standalone server names existing clusters and workspaces, a valid image, config key names
    for `licenseKey` and `secretEnv`, valid and unreserved variables, a DNS hostname.

    References, names, image, config names, env names and hostname of each server.
    """
    t = ctx.topology
    clusters, workspaces = Suggester(t.clusters), Suggester(t.workspaces)
    for name, server in t.agent_servers.items():
        path = ("agentServers", name)
        if not RFC1123_PATTERN.fullmatch(name) or len(name) > HELM_RELEASE_NAME_MAX:
            yield ctx.error(
                path,
                f"Agent Server name '{name}' must be an RFC 1123 label of at most "
                f"{HELM_RELEASE_NAME_MAX} characters (it is the Helm release name)",
                at="key",
            )
        if server.cluster not in t.clusters:
            hint = clusters.hint(server.cluster)
            yield ctx.error((*path, "cluster"), f"unknown cluster '{server.cluster}'{hint}")
        if server.workspace not in t.workspaces:
            hint = workspaces.hint(server.workspace)
            yield ctx.error((*path, "workspace"), f"unknown workspace '{server.workspace}'{hint}")
        if problem := image_problem(server.image):
            yield ctx.error((*path, "image"), f"image '{server.image}' {problem}")
        elif "@" in server.image:
            yield ctx.error(
                (*path, "image"),
                f"image '{server.image}' is pinned by digest, but the langgraph-cloud chart takes "
                "a tag: use registry/path:tag",
            )
        project = server.tracing_project
        if project is not None and not _PROJECT.fullmatch(project):
            yield ctx.error(
                (*path, "tracingProject"),
                "tracingProject must be 1-128 printable characters without control characters",
            )
        for key, value in server.node_selector.items():
            if not _LABEL_KEY.fullmatch(key) or not _LABEL_VALUE.fullmatch(value):
                yield ctx.error(
                    (*path, "nodeSelector", key),
                    f"'{key}: {value}' is not a Kubernetes label (key [prefix/]name, value of at "
                    "most 63 letters, digits, '-', '_', '.')",
                    at="key",
                )
        for index, secret in enumerate(server.image_pull_secrets):
            if problem := secret_name_problem(secret):
                yield ctx.error((*path, "imagePullSecrets", index), f"'{secret}' {problem}")
        if server.hostname is not None and (problem := hostname_problem(server.hostname)):
            yield ctx.error((*path, "hostname"), f"hostname '{server.hostname}' {problem}")
        for field, values in (("env", server.env), ("secretEnv", server.secret_env)):
            for env in values:
                if problem := env_name_problem(env, SERVER_ENV, prefixes=("LSD_",)):
                    yield ctx.error((*path, field, env), f"variable '{env}' {problem}", at="key")


@rule("agent-server-namespace")
def agent_server_namespaces_are_their_own(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A standalone server's namespace is its own (no listener's, no other server's, not reserved).

    A server's namespace is its own: no listener's, no other server's, no reserved one.
    """
    t = ctx.topology
    taken: dict[tuple[str, str], str] = {}
    for lname, listener in t.listeners.items():
        for namespace in listener.namespaces:
            taken[(listener.cluster, namespace)] = f"watched by listener '{lname}'"
        own = release_namespace(listener.renamed_from or lname)
        taken[(listener.cluster, own)] = f"the release namespace of listener '{lname}'"
    for name, server in sorted(t.agent_servers.items()):
        path = ("agentServers", name, "namespace")
        namespace = server.namespace
        if not RFC1123_PATTERN.fullmatch(namespace) or len(namespace) > 63:
            yield ctx.error(path, f"namespace '{namespace}' is not an RFC 1123 label")
        elif is_reserved_namespace(namespace) or is_addon_namespace(namespace):
            yield ctx.error(
                path, f"namespace '{namespace}' is reserved (Kubernetes or a cluster add-on)"
            )
        elif (owner := taken.get((server.cluster, namespace))) is not None:
            yield ctx.error(
                path,
                f"namespace '{namespace}' of cluster '{server.cluster}' is {owner}; an Agent "
                "Server needs a namespace of its own",
            )
        taken[(server.cluster, namespace)] = f"the namespace of Agent Server '{name}'"


@rule("agent-server-exposure")
def agent_servers_are_served(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A server's hostname is its own and served by the exposure; `tls` has a hostname, a
    `secretName` when the stack serves it, none when your gateway does; a server under a TLS
    cluster has `tls` (or says `plainHttp: true`); at most 63 server hostnames on the stack's
    Gateway.

    A server's hostname is its own and covered by the exposure; TLS has what it needs.
    """
    t = ctx.topology
    owners: dict[str, str] = {}
    for cname, cluster in t.clusters.items():
        if cluster.hostname:
            owners[cluster.hostname] = f"the hostname of cluster '{cname}' (its listeners)"
    per_gateway: dict[str, int] = {}
    for name, server in sorted(t.agent_servers.items()):
        path = ("agentServers", name)
        served_by = t.clusters.get(server.cluster)
        if server.tls is not None and server.hostname is None:
            yield ctx.error(
                (*path, "tls"), "TLS needs 'hostname' (the name the certificate is for)", at="key"
            )
        if server.hostname is None or served_by is None:
            continue
        if (owner := owners.get(server.hostname)) is not None:
            yield ctx.error(
                (*path, "hostname"),
                f"hostname '{server.hostname}' is already {owner}: one hostname routes to one "
                "place, so give each server its own",
            )
        owners[server.hostname] = f"the hostname of Agent Server '{name}'"
        stack_serves = served_by.ingress == "ingress" or (
            served_by.ingress == "gateway" and served_by.gateway is None
        )
        if served_by.ingress == "gateway" and served_by.gateway is None:
            per_gateway[server.cluster] = per_gateway.get(server.cluster, 1) + 1
            if per_gateway[server.cluster] == GATEWAY_LISTENERS_MAX + 1:
                yield ctx.error(
                    (*path, "hostname"),
                    f"cluster '{server.cluster}''s Gateway has a listener per server hostname "
                    f"and Gateway API allows {GATEWAY_LISTENERS_MAX}: move servers to another "
                    "cluster or name your own Gateway ('gateway:')",
                )
        if server.tls is not None and server.plain_http:
            yield ctx.error(
                (*path, "plainHttp"), "give 'tls' or 'plainHttp: true', not both", at="key"
            )
        if server.tls is None:
            if served_by.tls is not None and not server.plain_http:
                yield ctx.error(
                    (*path, "hostname"),
                    f"cluster '{server.cluster}' serves HTTPS, but '{server.hostname}' would be "
                    "plain HTTP and its callers' X-Api-Key headers would cross the network in "
                    "clear: add 'tls' (secretName: a certificate Secret for it, or 'tls: {}' "
                    "when your gateway holds one), or 'plainHttp: true' to say plain HTTP is "
                    "meant",
                )
            continue
        secret = server.tls.secret_name
        if stack_serves and not secret:
            yield ctx.error(
                (*path, "tls"),
                f"the stack serves '{server.hostname}' itself, so TLS needs 'secretName': a "
                f"kubernetes.io/tls Secret for it in the server's namespace '{server.namespace}'",
                at="key",
            )
        if not stack_serves and secret:
            yield ctx.error(
                (*path, "tls", "secretName"),
                f"cluster '{server.cluster}' routes through the gateway it names, which holds "
                "the certificate: drop 'secretName' (keep 'tls: {}' to serve https)",
                at="key",
            )


@rule("agent-server-resources")
def agent_server_pods_can_run(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Quantities the API server accepts, limits at or above requests, a Postgres pool of at least
    5 connections per pod, tolerations that Kubernetes accepts.

    Quantities the API server accepts, limits at or above requests, a pool that fits.
    """
    for name, server in sorted(ctx.topology.agent_servers.items()):
        yield from _resources(ctx, ("agentServers", name, "resources"), server)
        yield from _pool(ctx, ("agentServers", name), server)
        for index, toleration in enumerate(server.tolerations):
            if toleration.operator == "Exists" and toleration.value is not None:
                yield ctx.error(
                    ("agentServers", name, "tolerations", index, "value"),
                    "a toleration with operator 'Exists' takes no value",
                    at="key",
                )


def _resources(ctx: RuleContext, path: tuple, server: AgentServerSpec) -> Iterator[Diagnostic]:
    resources = server.resources
    fields = (
        ("cpu", resources.cpu, "cpuLimit", resources.cpu_limit),
        ("memory", resources.memory, "memoryLimit", resources.memory_limit),
    )
    for request_key, request, limit_key, limit in fields:
        bad = False
        for key, value in ((request_key, request), (limit_key, limit)):
            if value is not None and (problem := positive_quantity_problem(value)):
                bad = True
                yield ctx.error((*path, key), f"{key} '{value}' {problem}")
        if not bad and limit is not None and parse_quantity(limit) < parse_quantity(request):
            yield ctx.error(
                (*path, limit_key),
                f"{limit_key} '{limit}' is below the request {request_key} '{request}': the "
                "API server refuses such a pod",
            )


def _pool(ctx: RuleContext, path: tuple, server: AgentServerSpec) -> Iterator[Diagnostic]:
    pool = server_pool_size(server)
    in_cluster = server.postgres.in_cluster
    if pool is None or in_cluster is None or pool >= MIN_POOL:
        return
    pods = server_pods(server)
    need = pods * MIN_POOL + RESERVED_CONNECTIONS
    yield ctx.error(
        (*path, "postgres", "inCluster", "maxConnections"),
        f"maxConnections {in_cluster.max_connections} leaves {pool} Postgres connections for "
        f"each of the server's {pods} pods (at least {MIN_POOL} each): raise it to {need} or more",
        at="key",
    )


RULES = (
    agent_servers_are_deployable,
    agent_server_namespaces_are_their_own,
    agent_servers_are_served,
    agent_server_pods_can_run,
)
