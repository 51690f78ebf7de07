"""Postgres and Redis: backups, use, and resource quantities."""

from __future__ import annotations

from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.quantity import parse_quantity, positive_quantity_problem
from langsmith_dataplane.topology.rules.registry import (
    RuleContext,
    rule,
)


@rule("in-cluster-backups")
def protected_data_has_backups(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Warning: a protected stack keeps threads in an in-cluster Postgres, which the stack does not
    back up (use `rds`).

    On EKS, a protected stack keeps threads in an in-cluster Postgres only with a warning: the
    stack takes no backups of it, and RDS (automated backups, a final snapshot) is one key away.
    (On an existing cluster in-cluster is the stack's only Postgres; README: backups.)
    """
    t = ctx.topology
    protected = {
        c
        for stack in t.stacks.values()
        if stack.protect
        for c in stack.clusters
        if c in t.clusters and t.clusters[c].eks is not None
    }
    owners = [
        (("listeners", name), listener.cluster, listener.postgres, bool(listener.deployments))
        for name, listener in sorted(t.listeners.items())
    ]
    owners += [
        (("agentServers", name), server.cluster, server.postgres, True)
        for name, server in sorted(t.agent_servers.items())
    ]
    for path, cluster, postgres, used in owners:
        if used and cluster in protected and postgres.in_cluster is not None:
            yield ctx.warning(
                (*path, "postgres") if ctx.source.keys.get((*path, "postgres")) else path,
                f"'{path[-1]}' runs in a protected stack but keeps its threads in an in-cluster "
                "Postgres, which the stack does not back up: use 'rds' (automated backups, final "
                "snapshot) for production, or back the volume up yourself",
                at="key",
            )


@rule("unused-postgres")
def listener_postgres_is_used(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Warning: a `postgres` on a listener without deployments creates nothing.

    A listener's Postgres exists only for its deployments: say so when one is configured for a
    listener that has none.
    """
    for name, listener in sorted(ctx.topology.listeners.items()):
        path = ("listeners", name, "postgres")
        if not listener.deployments and "postgres" in listener.model_fields_set:
            yield ctx.warning(
                path,
                f"listener '{name}' has no deployments, so no Postgres is created for it (the "
                "operator gives deployments made in the UI a database of their own); 'postgres' "
                "takes effect once 'deployments' lists one",
                at="key",
            )


@rule("quantity")
def quantities_parse(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Resource quotas and store resources are Kubernetes quantities, limits at or above requests.

    Every Kubernetes quantity in the file is one the API server accepts, and a limit is never
    below its request (the Agent Servers' own resources: `agent-server-resources`).
    """
    t = ctx.topology
    found: list[tuple[tuple, object]] = []
    for name, listener in t.listeners.items():
        found.append((("listeners", name, "resourceQuota"), listener.resource_quota))
        found.append(
            (("listeners", name, "postgres", "inCluster", "resources"), _res(listener.postgres))
        )
        found.append((("listeners", name, "redis", "inCluster", "resources"), _res(listener.redis)))
    for name, server in t.agent_servers.items():
        found.append(
            (("agentServers", name, "postgres", "inCluster", "resources"), _res(server.postgres))
        )
        found.append(
            (("agentServers", name, "redis", "inCluster", "resources"), _res(server.redis))
        )
    for path, spec in found:
        if spec is None:
            continue
        values = {
            key: getattr(spec, attr)
            for key, attr in (
                ("cpu", "cpu"),
                ("memory", "memory"),
                ("cpuLimit", "cpu_limit"),
                ("memoryLimit", "memory_limit"),
            )
            if getattr(spec, attr, None) is not None
        }
        bad = set()
        for key, value in values.items():
            if problem := positive_quantity_problem(value):
                bad.add(key)
                yield ctx.error((*path, key), f"{key} '{value}' {problem}")
        for request, limit in (("cpu", "cpuLimit"), ("memory", "memoryLimit")):
            both = request in values and limit in values and not {request, limit} & bad
            if both and parse_quantity(values[limit]) < parse_quantity(values[request]):
                yield ctx.error(
                    (*path, limit),
                    f"{limit} '{values[limit]}' is below the request {request} "
                    f"'{values[request]}': the API server refuses such a pod",
                )


def _res(store):
    return store.in_cluster.resources if store.in_cluster is not None else None


RULES = (protected_data_has_backups, listener_postgres_is_used, quantities_parse)
