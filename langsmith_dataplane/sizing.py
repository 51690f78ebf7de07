"""How big the pieces around an Agent Server must be: its Postgres connection pool.

langgraph-api pools up to 150 Postgres connections per pod (`LANGGRAPH_POSTGRES_POOL_MAX_SIZE`)
while Postgres refuses connections past `max_connections`. A standalone server on the stack's
in-cluster Postgres therefore gets a pool sized so that every pod it can run fits. Used by the
program (the value it sets) and the rules (the error when it cannot fit), so both agree.
"""

from __future__ import annotations

from langsmith_dataplane.topology.schema import AgentServerSpec

LANGGRAPH_DEFAULT_POOL = 150
RESERVED_CONNECTIONS = 10  # superuser and maintenance connections (the database Job, psql)
MIN_POOL = 5


def server_pods(server: AgentServerSpec) -> int:
    """The most pods that connect at once: API servers at their maximum, plus queue workers."""
    api = server.autoscaling.max_replicas if server.autoscaling else server.replicas
    return api + (server.queue.replicas if server.queue.enabled else 0)


def server_pool_size(server: AgentServerSpec) -> int | None:
    """`LANGGRAPH_POSTGRES_POOL_MAX_SIZE` for each pod, or None to keep langgraph-api's own
    (RDS, whose `max_connections` follows the instance class)."""
    in_cluster = server.postgres.in_cluster
    if in_cluster is None:
        return None
    share = (in_cluster.max_connections - RESERVED_CONNECTIONS) // server_pods(server)
    return min(LANGGRAPH_DEFAULT_POOL, share)
