"""Rules for standalone Agent Servers (`agentServers`), with file:line:col like every rule."""

from __future__ import annotations

from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.naming import (
    HELM_RELEASE_NAME_MAX,
    is_addon_namespace,
    is_reserved_namespace,
    release_namespace,
)
from langsmith_dataplane.suggest import Suggester
from langsmith_dataplane.topology.deployment_rules import env_name_problem, image_problem
from langsmith_dataplane.topology.exposure_rules import hostname_problem
from langsmith_dataplane.topology.rules import _CONFIG_KEY, _RFC1123, RuleContext, rule

# What the stack sets on every standalone server; a user value would fight it.
SERVER_ENV = frozenset(
    {"POSTGRES_URI", "REDIS_URI", "DATABASE_URI", "LANGSMITH_API_KEY", "LANGSMITH_ENDPOINT"}
    | {"LANGGRAPH_CLOUD_LICENSE_KEY", "LANGSMITH_TRACING"}
)


@rule("agent-server")
def agent_servers_are_deployable(ctx: RuleContext) -> Iterator[Diagnostic]:
    """References, names, image, config names, env names and hostname of each server."""
    t = ctx.topology
    clusters, workspaces = Suggester(t.clusters), Suggester(t.workspaces)
    for name, server in t.agent_servers.items():
        path = ("agentServers", name)
        if not _RFC1123.match(name) or len(name) > HELM_RELEASE_NAME_MAX:
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
        if not _CONFIG_KEY.match(server.license_key):
            yield ctx.error(
                (*path, "licenseKey"),
                "licenseKey must be the NAME of a Pulumi secret config value (e.g. "
                "'langgraph.licenseKey'), never the key itself",
            )
        if server.hostname is not None and (problem := hostname_problem(server.hostname)):
            yield ctx.error((*path, "hostname"), f"hostname '{server.hostname}' {problem}")
        for field, values in (("env", server.env), ("secretEnv", server.secret_env)):
            for env in values:
                if problem := env_name_problem(env, SERVER_ENV, prefix=""):
                    yield ctx.error((*path, field, env), f"variable '{env}' {problem}", at="key")
        for env, key in server.secret_env.items():
            if not _CONFIG_KEY.match(key):
                yield ctx.error(
                    (*path, "secretEnv", env), f"'{key}' is not a Pulumi config key name"
                )


@rule("agent-server-namespace")
def agent_server_namespaces_are_their_own(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A server's namespace is its own: no listener's, no other server's, no reserved one."""
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
        if not _RFC1123.match(namespace) or len(namespace) > 63:
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


@rule("license-egress")
def license_checks_can_reach_beacon(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Standalone servers verify their license at beacon.langchain.com unless air-gapped."""
    cp = ctx.topology.control_plane
    if ctx.topology.agent_servers and not cp.air_gapped and not cp.beacon_cidrs:
        yield ctx.error(
            ("controlPlane",),
            "standalone Agent Servers verify their license at beacon.langchain.com, and egress "
            "is default-deny: give its addresses in 'controlPlane.beaconCidrs', or set "
            "'controlPlane.airGapped: true' with an offline license",
            at="key",
        )
