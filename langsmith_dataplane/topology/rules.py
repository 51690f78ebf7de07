"""The LangSmith rules (DESIGN §2), each a small named check over the validated model.

A rule is a function `(RuleContext) -> Iterable[Diagnostic]` registered with `@rule(name)`.
Rules never raise on odd input and each reports every offence it finds, so a user sees all
problems of a file at once. The rule name is printed after each message (`[shared-namespace]`).
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from langsmith_dataplane.diagnostics import SECRET_PATTERN, Diagnostic, Severity
from langsmith_dataplane.naming import (
    HELM_RELEASE_NAME_MAX,
    K8S_LABEL_MAX,
    is_addon_namespace,
    is_reserved_namespace,
    release_namespace,
)
from langsmith_dataplane.suggest import Suggester
from langsmith_dataplane.topology.loader import LoadedDocument, Path, SourceMap
from langsmith_dataplane.topology.schema import (
    CONFIG_KEY,
    LABEL_VALUE,
    RFC1123_LABEL,
    Listener,
    Topology,
)

_RFC1123 = re.compile(RFC1123_LABEL)
_LABEL_VALUE = re.compile(LABEL_VALUE)
_CONFIG_KEY = re.compile(CONFIG_KEY)


@dataclass(frozen=True)
class RuleContext:
    topology: Topology
    source: SourceMap
    text: str

    def error(self, path: Path, message: str, *, at: str = "value") -> Diagnostic:
        return self.source.diagnostic(path, message, at=at)

    def warning(self, path: Path, message: str, *, at: str = "value") -> Diagnostic:
        return self.source.diagnostic(path, message, at=at, severity=Severity.WARNING)

    @cached_property
    def listeners_by_cluster(self) -> dict[str, list[tuple[str, Listener]]]:
        grouped: dict[str, list[tuple[str, Listener]]] = defaultdict(list)
        for name, listener in self.topology.listeners.items():
            grouped[listener.cluster].append((name, listener))
        return grouped


Rule = Callable[[RuleContext], Iterable[Diagnostic]]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(check: Rule) -> Rule:
        def named(ctx: RuleContext) -> Iterator[Diagnostic]:
            for diagnostic in check(ctx):
                yield Diagnostic(
                    diagnostic.file,
                    diagnostic.line,
                    diagnostic.col,
                    diagnostic.message,
                    diagnostic.severity,
                    name,
                )

        named.__name__ = check.__name__
        named.__doc__ = check.__doc__
        RULES[name] = named
        return named

    return register


def run_rules(ctx: RuleContext) -> list[Diagnostic]:
    return [d for check in RULES.values() for d in check(ctx)]


# -- names -----------------------------------------------------------------------------------


def _label_problem(name: str) -> str | None:
    if not name:
        return "is empty"
    if len(name) > K8S_LABEL_MAX:
        return f"is {len(name)} characters long (at most {K8S_LABEL_MAX})"
    if not _RFC1123.fullmatch(name):
        return (
            "is not a valid Kubernetes name (RFC 1123 label: lower-case letters, digits "
            "and '-', starting and ending with a letter or digit)"
        )
    return None


def _named_keys(t: Topology) -> Iterator[tuple[Path, str, str]]:
    """(path, what, name) for every key that becomes a Kubernetes or cloud resource name."""
    for name, cluster in t.clusters.items():
        yield ("clusters", name), "cluster name", name
        if cluster.eks:
            for group in cluster.eks.node_groups:
                yield ("clusters", name, "eks", "nodeGroups", group), "node group name", group
    for name, listener in t.listeners.items():
        yield ("listeners", name), "listener name", name
        if listener.renamed_from is not None:
            yield ("listeners", name, "renamedFrom"), "renamedFrom", listener.renamed_from
        for deployment in listener.deployments:
            path = ("listeners", name, "deployments", deployment)
            yield path, "deployment name", deployment


@rule("rfc1123-name")
def names_are_rfc1123_labels(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Keys that become Kubernetes names must be RFC 1123 labels."""
    for path, what, name in _named_keys(ctx.topology):
        problem = _label_problem(name)
        if problem:
            yield ctx.error(path, f"{what} '{name}' {problem}", at="key")
    for lname, listener in ctx.topology.listeners.items():
        for i, namespace in enumerate(listener.namespaces):
            problem = _label_problem(namespace)
            if problem:
                path = ("listeners", lname, "namespaces", i)
                yield ctx.error(path, f"namespace '{namespace}' {problem}")
    for i, egress_rule in enumerate(ctx.topology.egress.allow):
        problem = _label_problem(egress_rule.name)
        if problem:
            path = ("egress", "allow", i, "name")
            yield ctx.error(path, f"egress rule name '{egress_rule.name}' {problem}")


@rule("label-value")
def workspace_names_are_label_values(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Workspace keys end up in Kubernetes label values."""
    for name in ctx.topology.workspaces:
        if len(name) > K8S_LABEL_MAX or not _LABEL_VALUE.fullmatch(name):
            yield ctx.error(
                ("workspaces", name),
                f"workspace name '{name}' must be at most {K8S_LABEL_MAX} letters, digits, '-', "
                "'_' or '.', starting and ending with a letter or digit (it becomes a label)",
                at="key",
            )


@rule("reserved-namespace")
def namespaces_are_not_reserved(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Listeners never deploy into default or kube-* namespaces, nor into a release namespace."""
    for cluster, members in ctx.listeners_by_cluster.items():
        release_namespaces = {
            release_namespace(listener.renamed_from or name): name for name, listener in members
        }
        for lname, listener in members:
            own = release_namespace(listener.renamed_from or lname)
            if is_addon_namespace(own):
                yield ctx.error(
                    ("listeners", lname),
                    f"listener '{lname}' would be released into namespace '{own}', which a "
                    "cluster add-on owns; choose another listener name",
                    at="key",
                )
            for i, namespace in enumerate(listener.namespaces):
                path = ("listeners", lname, "namespaces", i)
                if is_reserved_namespace(namespace):
                    yield ctx.error(
                        path,
                        f"namespace '{namespace}' is reserved by Kubernetes; choose another",
                    )
                elif is_addon_namespace(namespace):
                    yield ctx.error(
                        path,
                        f"namespace '{namespace}' belongs to a cluster add-on (KEDA, Envoy "
                        "Gateway, Traefik or the stack's Gateway); choose another",
                    )
                elif namespace in release_namespaces:
                    owner = release_namespaces[namespace]
                    yield ctx.error(
                        path,
                        f"namespace '{namespace}' is the release namespace of listener "
                        f"'{owner}' in cluster '{cluster}'; choose another",
                    )


@rule("release-name-length")
def release_names_fit_helm(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Helm release names (the listener key) are at most 53 characters."""
    for name, listener in ctx.topology.listeners.items():
        if len(name) > HELM_RELEASE_NAME_MAX:
            yield ctx.error(
                ("listeners", name),
                f"listener name '{name}' is {len(name)} characters; Helm release names are at "
                f"most {HELM_RELEASE_NAME_MAX}",
                at="key",
            )
        old = listener.renamed_from
        if old is not None and len(old) > HELM_RELEASE_NAME_MAX:
            yield ctx.error(
                ("listeners", name, "renamedFrom"),
                f"renamedFrom '{old}' is {len(old)} characters; it stays the Helm release name, "
                f"which is at most {HELM_RELEASE_NAME_MAX}",
            )


# -- identifiers and secrets -------------------------------------------------------------------


def _is_uuid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


@rule("uuid")
def ids_are_uuids(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Workspace ids and listener ids are UUIDs (8-4-4-4-12 hex digits)."""
    for name, workspace in ctx.topology.workspaces.items():
        if not _is_uuid(workspace.id):
            yield ctx.error(
                ("workspaces", name, "id"),
                f"workspace id '{workspace.id}' is not a UUID (8-4-4-4-12 hex digits)",
            )
    for name, listener in ctx.topology.listeners.items():
        if listener.listener_id is not None and not _is_uuid(listener.listener_id):
            yield ctx.error(
                ("listeners", name, "listenerId"),
                f"listenerId '{listener.listener_id}' is not a UUID (8-4-4-4-12 hex digits)",
            )


SECRET_MESSAGE = (
    "this looks like a LangSmith API key; never write keys in the topology. Store it with "
    "`pulumi config set --secret <name>` and put that name in 'apiKey' (then revoke the "
    "exposed key)"
)


def secret_diagnostics(text: str, filename: str) -> Iterator[Diagnostic]:
    """Keys anywhere in the text, comments included. The key itself is never echoed.

    (Not a registered rule: `parse_topology` runs it on every file, even one that does not
    parse, and adds `escaped_secret_diagnostics` once the YAML is read.)
    """
    for match in SECRET_PATTERN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        col = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        yield Diagnostic(filename, line, col, SECRET_MESSAGE, rule="secret-value")


def escaped_secret_diagnostics(document: LoadedDocument, lines_done: set[int]) -> list[Diagnostic]:
    """Keys the text hides with YAML escapes (`"\\x6csv2_..."`, `\\u` forms): the parsed keys
    and values are checked too, at their positions, unless their line was reported already."""
    found: list[Diagnostic] = []
    stack: list[tuple[Path, Any]] = [((), document.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                child = (*path, key)
                if SECRET_PATTERN.search(key):
                    found.append(document.source.diagnostic(child, SECRET_MESSAGE, at="key"))
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend(((*path, i), item) for i, item in enumerate(value))
        elif isinstance(value, str) and SECRET_PATTERN.search(value):
            found.append(document.source.diagnostic(path, SECRET_MESSAGE))
    return [
        Diagnostic(d.file, d.line, d.col, d.message, rule="secret-value")
        for d in found
        if d.line not in lines_done
    ]


# -- references --------------------------------------------------------------------------------


@rule("unknown-reference")
def references_exist(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Listeners name existing workspaces and clusters; stacks name existing clusters."""
    t = ctx.topology
    workspaces, clusters = Suggester(t.workspaces), Suggester(t.clusters)
    for name, listener in t.listeners.items():
        if listener.workspace not in t.workspaces:
            path = ("listeners", name, "workspace")
            hint = workspaces.hint(listener.workspace)
            yield ctx.error(path, f"unknown workspace '{listener.workspace}'{hint}")
        if listener.cluster not in t.clusters:
            path = ("listeners", name, "cluster")
            yield ctx.error(
                path, f"unknown cluster '{listener.cluster}'{clusters.hint(listener.cluster)}"
            )
    for stack, spec in t.stacks.items():
        for i, cluster in enumerate(spec.clusters):
            if cluster not in t.clusters:
                path = ("stacks", stack, "clusters", i)
                yield ctx.error(path, f"unknown cluster '{cluster}'{clusters.hint(cluster)}")


# -- namespaces and ingress ----------------------------------------------------------------------


@rule("duplicate-namespace")
def namespaces_listed_once(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A listener lists each namespace once."""
    for name, listener in ctx.topology.listeners.items():
        seen: dict[str, int] = {}
        for i, namespace in enumerate(listener.namespaces):
            if namespace in seen:
                yield ctx.error(
                    ("listeners", name, "namespaces", i),
                    f"namespace '{namespace}' is listed twice in listener '{name}'",
                )
            seen.setdefault(namespace, i)


@rule("shared-namespace")
def namespaces_not_shared(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Two listeners never deploy to the same namespace of one cluster."""
    for cluster, members in ctx.listeners_by_cluster.items():
        owner: dict[str, str] = {}
        for lname, listener in members:
            for i, namespace in enumerate(listener.namespaces):
                first = owner.setdefault(namespace, lname)
                if first != lname:
                    yield ctx.error(
                        ("listeners", lname, "namespaces", i),
                        f"namespace '{namespace}' of cluster '{cluster}' is already watched by "
                        f"listener '{first}'; listeners cannot share a namespace",
                    )


@rule("ingress-kind")
def ingress_supports_layout(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Plain Ingress serves one listener with one namespace; more need Gateway API or Istio."""
    t = ctx.topology
    for cname, cluster in t.clusters.items():
        members = ctx.listeners_by_cluster.get(cname, [])
        if cluster.ingress == "ingress":
            if len(members) > 1:
                names = ", ".join(n for n, _ in members)
                yield ctx.error(
                    ("clusters", cname),
                    f"cluster '{cname}' runs {len(members)} listeners ({names}); several "
                    "listener releases in one cluster need 'ingress: gateway' or 'ingress: istio'",
                    at="key",
                )
            for lname, listener in members:
                if len(listener.namespaces) > 1:
                    yield ctx.error(
                        ("listeners", lname, "namespaces"),
                        f"listener '{lname}' watches {len(listener.namespaces)} namespaces, which "
                        f"needs Gateway API or Istio; set 'ingress: gateway' or 'ingress: istio' "
                        f"on cluster '{cname}'",
                    )
            if cluster.gateway is not None:
                yield ctx.error(
                    ("clusters", cname, "gateway"),
                    "'gateway' applies only with 'ingress: gateway' or 'ingress: istio'",
                    at="key",
                )


# -- stacks ----------------------------------------------------------------------------------


@rule("cluster-stack")
def each_cluster_in_one_stack(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Every cluster belongs to exactly one stack; two stacks must never manage the same objects."""
    t = ctx.topology
    owners: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for stack, spec in t.stacks.items():
        for i, cluster in enumerate(spec.clusters):
            owners[cluster].append((stack, i))
    for cname in t.clusters:
        found = owners.get(cname, [])
        if not found:
            yield ctx.warning(
                ("clusters", cname),
                f"cluster '{cname}' belongs to no stack, so no `pulumi up` provisions it",
                at="key",
            )
    for cname, found in owners.items():
        if cname in t.clusters and len(found) > 1:
            first = found[0][0]
            for stack, i in found[1:]:
                verb = "lists it twice" if stack == first else f"is also in stack '{first}'"
                yield ctx.error(
                    ("stacks", stack, "clusters", i),
                    f"cluster '{cname}' {verb}; a cluster belongs to exactly one stack",
                )


# -- listeners -------------------------------------------------------------------------------


@rule("redis-db")
def redis_dbs_distinct(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Deployments sharing a Redis need distinct DB numbers, 1-15 (0 is the listener's own)."""
    for lname, listener in ctx.topology.listeners.items():
        used: dict[int, str] = {}
        for dname, deployment in listener.deployments.items():
            path = ("listeners", lname, "deployments", dname, "redisDb")
            db = deployment.redis_db
            if not 1 <= db <= 15:
                yield ctx.error(
                    path,
                    f"redisDb {db} is out of range: use 1-15 (0 is the listener's own DB)",
                )
            elif db in used:
                yield ctx.error(
                    path,
                    f"redisDb {db} is already used by deployment '{used[db]}' of listener "
                    f"'{lname}'; each deployment needs its own",
                )
            else:
                used[db] = dname


@rule("compute-id")
def compute_ids_unique(ctx: RuleContext) -> Iterator[Diagnostic]:
    """(workspace, compute id) is unique; compute id defaults to the cluster name."""
    seen: dict[tuple[str, str], str] = {}
    for lname, listener in ctx.topology.listeners.items():
        if listener.listener_id is not None:
            continue  # registered elsewhere: nothing is registered for it here
        compute_id = listener.effective_compute_id
        key = (listener.workspace, compute_id)
        first = seen.setdefault(key, lname)
        if first == lname:
            continue
        if listener.compute_id is None:
            message = (
                f"listener '{lname}' and '{first}' both run workspace '{listener.workspace}' "
                f"with compute id '{compute_id}' (the cluster name); give them distinct "
                "'computeId' values"
            )
            yield ctx.error(("listeners", lname), message, at="key")
        else:
            message = (
                f"computeId '{compute_id}' is already used by listener '{first}' of workspace "
                f"'{listener.workspace}'"
            )
            yield ctx.error(("listeners", lname, "computeId"), message)


@rule("renamed-from")
def renames_are_unambiguous(ctx: RuleContext) -> Iterator[Diagnostic]:
    """`renamedFrom` names a key that no longer exists, and only one listener claims it."""
    claimed: dict[str, str] = {}
    for lname, listener in ctx.topology.listeners.items():
        old = listener.renamed_from
        if old is None:
            continue
        path = ("listeners", lname, "renamedFrom")
        if old == lname:
            yield ctx.error(path, "renamedFrom names the listener itself")
        elif old in ctx.topology.listeners:
            yield ctx.error(path, f"renamedFrom '{old}' is still a listener in this topology")
        elif old in claimed:
            yield ctx.error(path, f"renamedFrom '{old}' is already claimed by '{claimed[old]}'")
        else:
            claimed[old] = lname


@rule("managed-service-on-eks")
def aws_services_need_eks(ctx: RuleContext) -> Iterator[Diagnostic]:
    """RDS and ElastiCache are created in the cluster's VPC, so they need an EKS cluster."""
    t = ctx.topology
    owners = [("listeners", n, x) for n, x in t.listeners.items()]
    owners += [("agentServers", n, x) for n, x in t.agent_servers.items()]
    for section, name, owner in owners:
        cluster = t.clusters.get(owner.cluster)
        if cluster is None or cluster.eks is not None:
            continue
        if owner.postgres.rds is not None:
            yield ctx.error(
                (section, name, "postgres", "rds"),
                f"'rds' needs an EKS cluster; cluster '{owner.cluster}' is 'existing' "
                "(use 'inCluster')",
                at="key",
            )
        if owner.redis.elasticache is not None:
            yield ctx.error(
                (section, name, "redis", "elasticache"),
                f"'elasticache' needs an EKS cluster; cluster '{owner.cluster}' is "
                "'existing' (use 'inCluster')",
                at="key",
            )


# -- networks and sizes ------------------------------------------------------------------------


def _cidr_problem(value: str) -> str | None:
    if "%" in value:  # Python accepts scoped IPv6 (fe80::1%eth0/128); NetworkPolicies do not
        return "a zone index ('%...') has no meaning in a network policy"
    if "/" not in value:
        return "needs a prefix length, e.g. 203.0.113.7/32"
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        return str(exc)
    return None


@rule("cidr")
def cidrs_are_valid(ctx: RuleContext) -> Iterator[Diagnostic]:
    """CIDRs parse, with no host bits set (10.0.0.1/8 is a typo for 10.0.0.0/8 or /32)."""
    t = ctx.topology
    candidates: list[tuple[Path, str]] = []
    for i, cidr in enumerate(t.control_plane.egress_cidrs or []):
        candidates.append((("controlPlane", "egressCidrs", i), cidr))
    for i, cidr in enumerate(t.control_plane.beacon_cidrs or []):
        candidates.append((("controlPlane", "beaconCidrs", i), cidr))
    for i, egress_rule in enumerate(t.egress.allow):
        for j, cidr in enumerate(egress_rule.cidrs):
            candidates.append((("egress", "allow", i, "cidrs", j), cidr))
    for cname, cluster in t.clusters.items():
        if cluster.eks is not None:
            candidates.append((("clusters", cname, "eks", "vpcCidr"), cluster.eks.vpc_cidr))
            for i, cidr in enumerate(cluster.eks.registry_egress_cidrs):
                candidates.append((("clusters", cname, "eks", "registryEgressCidrs", i), cidr))
    for path, cidr in candidates:
        problem = _cidr_problem(cidr)
        if problem:
            yield ctx.error(path, f"'{cidr}' is not a valid CIDR: {problem}")


@rule("port")
def ports_in_range(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Ports are 1-65535."""
    for i, egress_rule in enumerate(ctx.topology.egress.allow):
        for j, port in enumerate(egress_rule.ports):
            if not 1 <= port <= 65535:
                yield ctx.error(
                    ("egress", "allow", i, "ports", j),
                    f"port {port} is out of range 1-65535",
                )


@rule("duplicate-egress-rule")
def egress_rule_names_unique(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Egress rules become NetworkPolicy and security-group rule names: unique."""
    seen: set[str] = set()
    for i, egress_rule in enumerate(ctx.topology.egress.allow):
        if egress_rule.name in seen:
            yield ctx.error(
                ("egress", "allow", i, "name"),
                f"egress rule '{egress_rule.name}' is defined twice",
            )
        seen.add(egress_rule.name)


@rule("node-group-size")
def node_group_sizes_ordered(ctx: RuleContext) -> Iterator[Diagnostic]:
    """minSize <= desiredSize <= maxSize."""
    for cname, cluster in ctx.topology.clusters.items():
        if cluster.eks is None:
            continue
        for gname, group in cluster.eks.node_groups.items():
            base = ("clusters", cname, "eks", "nodeGroups", gname)
            if group.min_size > group.max_size:
                yield ctx.error(
                    (*base, "minSize"),
                    f"minSize {group.min_size} is greater than maxSize {group.max_size}",
                )
            desired = group.desired_size
            if desired is not None and not group.min_size <= desired <= group.max_size:
                yield ctx.error(
                    (*base, "desiredSize"),
                    f"desiredSize {desired} is outside minSize..maxSize "
                    f"({group.min_size}..{group.max_size})",
                )


@rule("control-plane")
def self_hosted_control_plane_is_complete(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A self-hosted control plane has https URLs and explicit egress addresses."""
    from langsmith_dataplane.topology.urls import https_url_problem

    cp = ctx.topology.control_plane
    for key, url in (
        ("hostBackendUrl", cp.host_backend_url),
        ("smithBackendUrl", cp.smith_backend_url),
    ):
        if url is not None and (problem := https_url_problem(url)):
            yield ctx.error(("controlPlane", key), f"{key} {problem}")
    if cp.region is None and not cp.egress_cidrs:
        yield ctx.error(
            ("controlPlane",),
            "a self-hosted control plane needs 'egressCidrs' (the addresses its URLs resolve "
            "to), or the egress policies would block it",
            at="key",
        )


@rule("unused-workspace")
def workspaces_are_used(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A workspace without listeners or Agent Servers is probably a typo or a leftover."""
    used = {listener.workspace for listener in ctx.topology.listeners.values()}
    used |= {server.workspace for server in ctx.topology.agent_servers.values()}
    for name in ctx.topology.workspaces:
        if name not in used:
            yield ctx.warning(
                ("workspaces", name),
                f"workspace '{name}' has no listeners or Agent Servers",
                at="key",
            )
