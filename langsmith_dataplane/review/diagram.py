"""A mermaid diagram of the topology: stacks -> clusters -> listeners -> namespaces,
deployments -> listener -> namespace -> stores, and listeners -> workspaces. Rendered by GitHub
in PR comments and markdown files."""

from __future__ import annotations

import hashlib
import re

from langsmith_dataplane.review.escape import mermaid as mermaid_text
from langsmith_dataplane.topology.schema import ListenerSpec, Topology


def node_id(kind: str, name: str) -> str:
    """A mermaid node id, one per name: letters and digits as they are, and a name with any
    other character gets a digest of itself too, so `team-c`, `team.c` and `team_c` stay three
    nodes (readable: `listener_a_dev_3f2a9c`)."""
    safe = re.sub(r"[^A-Za-z0-9]", "_", name)
    if safe != name:
        safe += "_" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{kind}_{safe}"


def _label(text: str) -> str:
    """A user string inside a quoted label: entity-coded (`escape.mermaid`)."""
    return mermaid_text(text)


def _deployments(name: str, listener: ListenerSpec) -> list[str]:
    """Each deployment with an image: deployment -> listener, -> its namespace, -> its stores."""
    lines: list[str] = []
    if not listener.deployments:
        return lines
    listener_id = node_id("listener", name)
    postgres = "rds" if listener.postgres.rds else "in-cluster"
    redis = "elasticache" if listener.redis.elasticache else "in-cluster"
    stores = node_id("stores", name)
    lines.append(f'  {stores}[("postgres {postgres} · redis {redis}")]')
    for deployment_name, deployment in sorted(listener.deployments.items()):
        if deployment.image is None:
            continue
        deployment_id = node_id("deployment", f"{name}_{deployment_name}")
        namespace = deployment.namespace or sorted(listener.namespaces)[0]
        lines.append(f'  {deployment_id}{{{{"deployment {_label(deployment_name)}"}}}}')
        lines.append(f"  {deployment_id} --> {listener_id}")
        lines.append(f"  {deployment_id} --> {node_id('ns', f'{listener.cluster}_{namespace}')}")
        lines.append(f"  {deployment_id} -.-> {stores}")
    return lines


def mermaid(topology: Topology, stacks: set[str] | None = None) -> str:
    """Only `stacks` (default: all) and what they contain."""
    lines = ["flowchart LR"]
    shown_clusters: set[str] = set()
    for stack, spec in sorted(topology.stacks.items()):
        if stacks is not None and stack not in stacks:
            continue
        protect = " · protected" if spec.protect else ""
        lines.append(f'  {node_id("stack", stack)}[["stack {_label(stack)}{protect}"]]')
        for cluster in sorted(set(spec.clusters)):
            cluster_spec = topology.clusters.get(cluster)
            if cluster_spec is None:
                continue
            kind = "eks " + _label(cluster_spec.eks.region) if cluster_spec.eks else "existing"
            label = f"cluster {_label(cluster)}<br/>{kind} · {cluster_spec.ingress}"
            lines.append(f'  {node_id("cluster", cluster)}["{label}"]')
            lines.append(f"  {node_id('stack', stack)} --> {node_id('cluster', cluster)}")
            shown_clusters.add(cluster)
    workspaces: set[str] = set()
    for name, listener in sorted(topology.listeners.items()):
        if listener.cluster not in shown_clusters:
            continue
        listener_id = node_id("listener", name)
        lines.append(f'  {listener_id}("listener {_label(name)}")')
        lines.append(f"  {node_id('cluster', listener.cluster)} --> {listener_id}")
        for namespace in sorted(listener.namespaces):
            ns_id = node_id("ns", f"{listener.cluster}_{namespace}")
            lines.append(f'  {ns_id}[/"ns {_label(namespace)}"/]')
            lines.append(f"  {listener_id} --> {ns_id}")
        lines.append(f"  {listener_id} -.-> {node_id('workspace', listener.workspace)}")
        workspaces.add(listener.workspace)
        lines.extend(_deployments(name, listener))
    for name, server in sorted(topology.agent_servers.items()):
        if server.cluster not in shown_clusters:
            continue
        server_id = node_id("server", name)
        lines.append(f'  {server_id}("agent server {_label(name)}<br/>standalone")')
        lines.append(f"  {node_id('cluster', server.cluster)} --> {server_id}")
        ns_id = node_id("ns", f"{server.cluster}_{server.namespace}")
        lines.append(f'  {ns_id}[/"ns {_label(server.namespace)}"/]')
        lines.append(f"  {server_id} --> {ns_id}")
        lines.append(f"  {server_id} -.-> {node_id('workspace', server.workspace)}")
        workspaces.add(server.workspace)
    lines.extend(_cloud(topology, stacks, workspaces))
    for workspace in sorted(workspaces | _created_by(topology, stacks)):
        lines.append(
            f'  {node_id("workspace", workspace)}(["{_workspace_label(topology, workspace)}"])'
        )
        owner = topology.workspaces[workspace].owner
        if owner is not None and (stacks is None or owner in stacks):
            lines.append(
                f"  {node_id('stack', owner)} -. creates .-> {node_id('workspace', workspace)}"
            )
    return "\n".join(lines)


def _created_by(topology: Topology, stacks: set[str] | None) -> set[str]:
    return {
        name
        for name, spec in topology.workspaces.items()
        if spec.owner is not None and spec.id is None and (stacks is None or spec.owner in stacks)
    }


def _workspace_label(topology: Topology, name: str) -> str:
    """`workspace team-c<br/>new · service keys made here`: what the stacks create for it."""
    spec = topology.workspaces[name]
    parts = [f"workspace {_label(name)}"]
    details = []
    if spec.id is None:
        details.append("new")
    if spec.api_key is None:
        details.append("service key per workload")
    if details:
        parts.append(" · ".join(details))
    return "<br/>".join(parts)


def _cloud(topology: Topology, stacks: set[str] | None, workspaces: set[str]) -> list[str]:
    """Cloud SaaS deployments under "LangChain cloud": stack -> deployment -> workspace."""
    shown = sorted(
        (name, spec)
        for name, spec in topology.cloud_deployments.items()
        if stacks is None or spec.stack in stacks
    )
    if not shown:
        return []
    lines = ['  subgraph langchain_cloud["LangChain cloud (Cloud SaaS)"]']
    for name, spec in shown:
        repo = spec.github.repository.removeprefix("https://github.com/")
        label = f"cloud deployment {_label(name)}<br/>{_label(repo)}@{_label(spec.github.ref)}"
        lines.append(f'    {node_id("cloud", name)}("{label}<br/>{spec.type}")')
    lines.append("  end")
    for name, spec in shown:
        lines.append(f"  {node_id('stack', spec.stack)} --> {node_id('cloud', name)}")
        lines.append(f"  {node_id('cloud', name)} -.-> {node_id('workspace', spec.workspace)}")
        workspaces.add(spec.workspace)
    return lines
