"""The slice of a topology one Pulumi stack provisions: pure Python, no Pulumi.

`pulumi up -s prod-alpha` provisions only the clusters of stack `prod-alpha` and the listeners
in them. Everything the components need that is derived (release namespaces, host queues, which
release creates the operator CRDs, the control plane endpoints) is decided here, once, so
components stay simple and tests can check the decisions without running Pulumi.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from langsmith_dataplane.control_plane import REGIONS, ControlPlaneEndpoints
from langsmith_dataplane.naming import host_queue, release_name, release_namespace
from langsmith_dataplane.topology.schema import (
    Cluster,
    EgressRule,
    Listener,
    Topology,
    Workspace,
)


class UnknownStackError(Exception):
    """The current Pulumi stack is not declared under `stacks:` in the topology."""


@dataclass(frozen=True)
class ListenerPlan:
    """One listener as the stack deploys it.

    `key` is the topology key (Pulumi logical names); `identity` names the Kubernetes and cloud
    objects. They differ only after a rename with `renamedFrom`: the objects keep their names so
    nothing is replaced, and Pulumi aliases map the old logical names to the new ones.
    """

    key: str
    identity: str
    spec: Listener
    workspace_key: str
    workspace: Workspace
    cluster: str
    compute_id: str
    release_name: str
    release_namespace: str
    host_queue: str
    create_crds: bool

    @property
    def watch_namespaces(self) -> tuple[str, ...]:
        """Sorted, so reordering the topology's list changes nothing."""
        return tuple(sorted(self.spec.namespaces))


@dataclass(frozen=True)
class ClusterPlan:
    name: str
    spec: Cluster
    listeners: tuple[ListenerPlan, ...]
    crd_owner: str | None


@dataclass(frozen=True)
class StackSlice:
    stack: str
    protect: bool
    control_plane: ControlPlaneEndpoints
    clusters: tuple[ClusterPlan, ...]
    egress_allow: tuple[EgressRule, ...]

    @property
    def listeners(self) -> tuple[ListenerPlan, ...]:
        return tuple(plan for cluster in self.clusters for plan in cluster.listeners)


def control_plane_endpoints(topology: Topology) -> ControlPlaneEndpoints:
    """Region defaults, with the topology's overrides applied."""
    cp = topology.control_plane
    if cp.region is not None:
        base = REGIONS[cp.region]
        cidrs = tuple(sorted(cp.egress_cidrs)) if cp.egress_cidrs else base.egress_cidrs
        return ControlPlaneEndpoints(base.host_backend_url, base.smith_backend_url, cidrs)
    host, smith = cp.host_backend_url or "", cp.smith_backend_url or ""  # both set: the schema
    return ControlPlaneEndpoints(
        host.rstrip("/"),
        smith.rstrip("/"),
        tuple(sorted(cp.egress_cidrs or ())),
    )


def crd_owner(spec: Cluster, identities: dict[str, str]) -> str | None:
    """The one release per cluster that creates the operator CRDs.

    An explicit `crdOwner` wins; otherwise the alphabetically first listener identity. Sorting
    makes the choice independent of file order. Moving the CRDs to another release would delete
    them (and every Agent Server resource) with the old release, so pin `crdOwner` before adding
    a listener whose name sorts first; `dataplane diff` flags such a move.
    """
    if not identities:
        return None
    if spec.crd_owner is not None and spec.crd_owner in identities:
        return identities[spec.crd_owner]
    return min(identities.values())


def slice_for_stack(topology: Topology, stack: str) -> StackSlice:
    if stack not in topology.stacks:
        close = difflib.get_close_matches(stack, list(topology.stacks), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
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
        owner = crd_owner(cluster, identities)
        plans = tuple(
            ListenerPlan(
                key=key,
                identity=identities[key],
                spec=listener,
                workspace_key=listener.workspace,
                workspace=topology.workspaces[listener.workspace],
                cluster=cname,
                compute_id=listener.effective_compute_id,
                release_name=release_name(identities[key]),
                release_namespace=release_namespace(identities[key]),
                host_queue=host_queue(identities[key]),
                create_crds=identities[key] == owner,
            )
            for key, listener in members
        )
        clusters.append(ClusterPlan(cname, cluster, plans, owner))
    return StackSlice(
        stack=stack,
        protect=spec.protect,
        control_plane=control_plane_endpoints(topology),
        clusters=tuple(clusters),
        egress_allow=tuple(sorted(topology.egress.allow, key=lambda rule: rule.name)),
    )
