"""The slice of a topology one Pulumi stack provisions: pure Python, no Pulumi.

`pulumi up -s prod-alpha` provisions only the clusters of stack `prod-alpha` and the listeners
in them. Everything the components need that is derived (release namespaces, host queues, the
control plane endpoints) is decided here, once, so components stay simple and tests can check
the decisions without running Pulumi.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from langsmith_dataplane.control_plane import (
    REGIONS,
    ControlPlaneEndpoints,
    beacon_cidrs,
    self_hosted,
)
from langsmith_dataplane.naming import (
    host_queue,
    listener_release_namespace,
    release_name,
)
from langsmith_dataplane.suggest import suggester
from langsmith_dataplane.topology.schema import (
    AgentServerSpec,
    CloudDeploymentSpec,
    ClusterSpec,
    EgressRuleSpec,
    ListenerSpec,
    ServiceKeysSpec,
    Topology,
    WorkspaceSpec,
)
from langsmith_dataplane.topology.workspace_use import display_name, is_created, workspace_users


class UnknownStackError(Exception):
    """The current Pulumi stack is not declared under `stacks:` in the topology."""


@dataclass(frozen=True)
class ListenerTarget:
    """One listener as the stack deploys it.

    `key` is the topology key (Pulumi logical names); `identity` names the Kubernetes and cloud
    objects. They differ only after a rename with `renamedFrom`: the objects keep their names so
    nothing is replaced, and Pulumi aliases map the old logical names to the new ones.
    """

    key: str
    identity: str
    spec: ListenerSpec
    workspace_key: str
    workspace: WorkspaceSpec
    cluster: str
    compute_id: str
    release_name: str
    release_namespace: str
    host_queue: str

    @property
    def watch_namespaces(self) -> tuple[str, ...]:
        """Sorted, so reordering the topology's list changes nothing."""
        return tuple(sorted(self.spec.namespaces))

    @property
    def release_in_watched_namespace(self) -> bool:
        """Plain Ingress: the release shares the Agent Servers' one namespace (see below)."""
        return self.release_namespace in self.spec.namespaces


@dataclass(frozen=True)
class AgentServerTarget:
    """One standalone Agent Server (chart `langgraph-cloud`) as the stack deploys it."""

    key: str
    spec: AgentServerSpec
    workspace_key: str
    workspace: WorkspaceSpec
    cluster: str

    @property
    def release_name(self) -> str:
        return self.key

    @property
    def namespace(self) -> str:
        return self.spec.namespace


@dataclass(frozen=True)
class CloudDeploymentTarget:
    """One Cloud SaaS deployment the stack owns (LangChain runs it, built from GitHub)."""

    key: str
    spec: CloudDeploymentSpec
    workspace_key: str


WorkspaceSource = Literal["referenced", "created", "looked-up"]


@dataclass(frozen=True)
class KeyPolicy:
    """The service keys the stack creates in a workspace: their role and generation."""

    role: str
    generation: int


@dataclass(frozen=True)
class WorkspaceTarget:
    """A workspace as this stack sees it: `referenced` by id, `created` here (the owner), or
    `looked-up` by handle (another stack creates it). `keys` is None when the topology names an
    `apiKey` made elsewhere."""

    key: str
    source: WorkspaceSource
    id: str | None
    display_name: str
    handle: str | None
    owner: str | None
    allow_deletion: bool
    keys: KeyPolicy | None
    api_key: str | None
    adopt: str | None = None


@dataclass(frozen=True)
class Organization:
    """The organisation the stack creates workspaces and keys in, and the config NAME of its
    admin's key."""

    id: str
    admin_key: str


@dataclass(frozen=True)
class ClusterTarget:
    name: str
    spec: ClusterSpec
    listeners: tuple[ListenerTarget, ...]
    agent_servers: tuple[AgentServerTarget, ...] = ()


@dataclass(frozen=True)
class StackSlice:
    stack: str
    protect: bool
    control_plane: ControlPlaneEndpoints
    clusters: tuple[ClusterTarget, ...]
    egress_allow: tuple[EgressRuleSpec, ...]

    beacon_cidrs: tuple[str, ...] = ()
    workspaces: tuple[WorkspaceTarget, ...] = ()
    organization: Organization | None = None
    cloud_deployments: tuple[CloudDeploymentTarget, ...] = ()

    @property
    def listeners(self) -> tuple[ListenerTarget, ...]:
        return tuple(plan for cluster in self.clusters for plan in cluster.listeners)

    @property
    def agent_servers(self) -> tuple[AgentServerTarget, ...]:
        return tuple(plan for cluster in self.clusters for plan in cluster.agent_servers)

    def workspace(self, key: str) -> WorkspaceTarget:
        """The stack's view of workspace `key` (one its workloads deploy into, or it owns)."""
        return next(target for target in self.workspaces if target.key == key)


def control_plane_endpoints(topology: Topology) -> ControlPlaneEndpoints:
    """Region defaults, with the topology's overrides applied."""
    cp = topology.control_plane
    if cp.region is not None:
        base = REGIONS[cp.region]
        cidrs = tuple(sorted(cp.egress_cidrs)) if cp.egress_cidrs else base.egress_cidrs
        return ControlPlaneEndpoints(base.host_backend_url, base.smith_backend_url, cidrs)
    # smithBackendUrl is set (the schema); hostBackendUrl defaults to <base>/api-host.
    return self_hosted(
        cp.smith_backend_url or "", cp.host_backend_url, tuple(sorted(cp.egress_cidrs or ()))
    )


def slice_for_stack(topology: Topology, stack: str) -> StackSlice:
    if stack not in topology.stacks:
        hint = suggester(tuple(topology.stacks)).did_you_mean(stack)
        known = ", ".join(sorted(topology.stacks))
        raise UnknownStackError(
            f"stack '{stack}' is not declared under 'stacks:' in the topology{hint}; "
            f"declared stacks: {known}"
        )
    spec = topology.stacks[stack]
    clusters = []
    for cname in sorted(set(spec.clusters)):
        cluster = topology.clusters[cname]
        members = sorted(
            (key, listener)
            for key, listener in topology.listeners.items()
            if listener.cluster == cname
        )
        identities = {key: listener.renamed_from or key for key, listener in members}
        plans = tuple(
            ListenerTarget(
                key=key,
                identity=identities[key],
                spec=listener,
                workspace_key=listener.workspace,
                workspace=topology.workspaces[listener.workspace],
                cluster=cname,
                compute_id=listener.effective_compute_id,
                release_name=release_name(identities[key]),
                release_namespace=listener_release_namespace(
                    cluster.ingress, listener.namespaces, identities[key]
                ),
                host_queue=host_queue(identities[key]),
            )
            for key, listener in members
        )
        servers = tuple(
            AgentServerTarget(
                key=key,
                spec=server,
                workspace_key=server.workspace,
                workspace=topology.workspaces[server.workspace],
                cluster=cname,
            )
            for key, server in sorted(topology.agent_servers.items())
            if server.cluster == cname
        )
        clusters.append(ClusterTarget(cname, cluster, plans, servers))
    workspaces = workspace_targets(topology, stack)
    cp = topology.control_plane
    organization = (
        Organization(cp.organization_id, cp.admin_key)
        if cp.organization_id and cp.admin_key
        else None
    )
    cloud = tuple(
        CloudDeploymentTarget(key, deployment, deployment.workspace)
        for key, deployment in sorted(topology.cloud_deployments.items())
        if deployment.stack == stack
    )
    return StackSlice(
        stack=stack,
        cloud_deployments=cloud,
        workspaces=workspaces,
        organization=organization,
        protect=spec.protect,
        control_plane=control_plane_endpoints(topology),
        clusters=tuple(clusters),
        egress_allow=tuple(sorted(topology.egress.allow, key=lambda rule: rule.name)),
        beacon_cidrs=beacon_cidrs(
            topology.control_plane.beacon_cidrs, air_gapped=topology.control_plane.air_gapped
        ),
    )


def workspace_targets(topology: Topology, stack: str) -> tuple[WorkspaceTarget, ...]:
    """The workspaces the stack creates (owner) or deploys into, sorted by key."""
    users = workspace_users(topology)
    out = []
    for key, spec in sorted(topology.workspaces.items()):
        used = stack in users.get(key, frozenset())
        source: WorkspaceSource
        if not is_created(spec):
            source = "referenced"
        elif spec.owner == stack:
            source = "created"
        else:
            source = "looked-up"
        if not used and source != "created":
            continue
        keys = None
        if spec.api_key is None:
            policy = spec.service_keys or ServiceKeysSpec()
            keys = KeyPolicy(policy.role, policy.generation)
        out.append(
            WorkspaceTarget(
                key=key,
                source=source,
                id=spec.id,
                display_name=display_name(key, spec),
                handle=spec.handle,
                owner=spec.owner,
                allow_deletion=spec.allow_deletion,
                keys=keys,
                api_key=spec.api_key,
                adopt=spec.adopt,
            )
        )
    return tuple(out)


def needs_platform(slice_: StackSlice) -> bool:
    """The stack calls the platform API: it creates or looks up a workspace, or makes keys."""
    return any(t.source != "referenced" or t.keys is not None for t in slice_.workspaces)
