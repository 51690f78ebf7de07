"""Which stacks deploy into which workspace, and what the stacks create there.

Shared by the rules (a created workspace used by another stack needs a handle) and the stack
slice (that other stack looks the workspace up): one answer for both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from langsmith_dataplane.topology.schema import Topology, WorkspaceSpec


def stack_of_cluster(topology: Topology) -> dict[str, str]:
    """Cluster -> the stack that owns it (the first, when the rules already reported two)."""
    owners: dict[str, str] = {}
    for stack, spec in topology.stacks.items():
        for cluster in spec.clusters:
            owners.setdefault(cluster, stack)
    return owners


def workspace_users(topology: Topology) -> Mapping[str, frozenset[str]]:
    """Workspace -> the stacks whose listeners, Agent Servers or Cloud deployments deploy into
    it."""
    owners = stack_of_cluster(topology)
    users: dict[str, set[str]] = defaultdict(set)
    for listener in topology.listeners.values():
        if listener.cluster in owners:
            users[listener.workspace].add(owners[listener.cluster])
    for server in topology.agent_servers.values():
        if server.cluster in owners:
            users[server.workspace].add(owners[server.cluster])
    for cloud in topology.cloud_deployments.values():
        if cloud.stack in topology.stacks:
            users[cloud.workspace].add(cloud.stack)
    return {name: frozenset(stacks) for name, stacks in users.items()}


def is_created(workspace: WorkspaceSpec) -> bool:
    """A workspace without an id is created by its owner stack."""
    return workspace.id is None


def creates_keys(workspace: WorkspaceSpec) -> bool:
    """Without `apiKey`, each listener and Agent Server gets a service key of its own."""
    return workspace.api_key is None


def display_name(key: str, workspace: WorkspaceSpec) -> str:
    return workspace.display_name or key


def needs_organization(topology: Topology) -> list[str]:
    """Workspaces that make the stacks call the platform API (create it, or keys in it)."""
    used = workspace_users(topology)
    return [
        name
        for name, workspace in topology.workspaces.items()
        if is_created(workspace) or (creates_keys(workspace) and name in used)
    ]
