"""A mermaid diagram of the topology: stacks -> clusters -> listeners -> namespaces,
deployments -> listener -> namespace -> stores, and listeners -> workspaces. Rendered by GitHub
in PR comments and markdown files."""

from __future__ import annotations

import re

from langsmith_dataplane.review.escape import mermaid as mermaid_text
from langsmith_dataplane.topology.schema import ListenerSpec, Topology


def _id(kind: str, name: str) -> str:
    return f"{kind}_{re.sub(r'[^A-Za-z0-9_]', '_', name)}"


def _label(text: str) -> str:
    """A user string inside a quoted label: entity-coded (`escape.mermaid`)."""
    return mermaid_text(text)


def _deployments(name: str, listener: ListenerSpec) -> list[str]:
    """Each deployment with an image: deployment -> listener, -> its namespace, -> its stores."""
    lines: list[str] = []
    if not listener.deployments:
        return lines
    listener_id = _id("listener", name)
    postgres = "rds" if listener.postgres.rds else "in-cluster"
    redis = "elasticache" if listener.redis.elasticache else "in-cluster"
    stores = _id("stores", name)
    lines.append(f'  {stores}[("postgres {postgres} · redis {redis}")]')
    for deployment_name, deployment in sorted(listener.deployments.items()):
        if deployment.image is None:
            continue
        deployment_id = _id("deployment", f"{name}_{deployment_name}")
        namespace = deployment.namespace or sorted(listener.namespaces)[0]
        lines.append(f'  {deployment_id}{{{{"deployment {_label(deployment_name)}"}}}}')
        lines.append(f"  {deployment_id} --> {listener_id}")
        lines.append(f"  {deployment_id} --> {_id('ns', f'{listener.cluster}_{namespace}')}")
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
        lines.append(f'  {_id("stack", stack)}[["stack {_label(stack)}{protect}"]]')
        for cluster in sorted(set(spec.clusters)):
            cluster_spec = topology.clusters.get(cluster)
            if cluster_spec is None:
                continue
            kind = "eks " + _label(cluster_spec.eks.region) if cluster_spec.eks else "existing"
            label = f"cluster {_label(cluster)}<br/>{kind} · {cluster_spec.ingress}"
            lines.append(f'  {_id("cluster", cluster)}["{label}"]')
            lines.append(f"  {_id('stack', stack)} --> {_id('cluster', cluster)}")
            shown_clusters.add(cluster)
    workspaces: set[str] = set()
    for name, listener in sorted(topology.listeners.items()):
        if listener.cluster not in shown_clusters:
            continue
        listener_id = _id("listener", name)
        lines.append(f'  {listener_id}("listener {_label(name)}")')
        lines.append(f"  {_id('cluster', listener.cluster)} --> {listener_id}")
        for namespace in sorted(listener.namespaces):
            ns_id = _id("ns", f"{listener.cluster}_{namespace}")
            lines.append(f'  {ns_id}[/"ns {_label(namespace)}"/]')
            lines.append(f"  {listener_id} --> {ns_id}")
        lines.append(f"  {listener_id} -.-> {_id('workspace', listener.workspace)}")
        workspaces.add(listener.workspace)
        lines.extend(_deployments(name, listener))
    for name, server in sorted(topology.agent_servers.items()):
        if server.cluster not in shown_clusters:
            continue
        server_id = _id("server", name)
        lines.append(f'  {server_id}("agent server {_label(name)}<br/>standalone")')
        lines.append(f"  {_id('cluster', server.cluster)} --> {server_id}")
        ns_id = _id("ns", f"{server.cluster}_{server.namespace}")
        lines.append(f'  {ns_id}[/"ns {_label(server.namespace)}"/]')
        lines.append(f"  {server_id} --> {ns_id}")
        lines.append(f"  {server_id} -.-> {_id('workspace', server.workspace)}")
        workspaces.add(server.workspace)
    lines.extend(_cloud(topology, stacks, workspaces))
    for workspace in sorted(workspaces | _created_by(topology, stacks)):
        lines.append(
            f'  {_id("workspace", workspace)}(["{_workspace_label(topology, workspace)}"])'
        )
        owner = topology.workspaces[workspace].owner
        if owner is not None and (stacks is None or owner in stacks):
            lines.append(f"  {_id('stack', owner)} -. creates .-> {_id('workspace', workspace)}")
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
        lines.append(f'    {_id("cloud", name)}("{label}<br/>{spec.type}")')
    lines.append("  end")
    for name, spec in shown:
        lines.append(f"  {_id('stack', spec.stack)} --> {_id('cloud', name)}")
        lines.append(f"  {_id('cloud', name)} -.-> {_id('workspace', spec.workspace)}")
        workspaces.add(spec.workspace)
    return lines
