"""Clusters and how they expose what runs on them (Ingress, Gateway API, Istio)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.topology.rules.registry import (
    RuleContext,
    rule,
)
from langsmith_dataplane.topology.schema import AgentServerSpec, ListenerSpec
from langsmith_dataplane.topology.source_map import Path
from langsmith_dataplane.topology.urls import hostname_problem


@rule("ingress-kind")
def ingress_supports_layout(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Plain Ingress: one listener per cluster and one namespace per listener.

    Plain Ingress serves one listener with one namespace; more need Gateway API or Istio.
    """
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


@rule("managed-service-on-eks")
def aws_services_need_eks(ctx: RuleContext) -> Iterator[Diagnostic]:
    """`rds` and `elasticache` only on EKS clusters.

    RDS and ElastiCache are created in the cluster's VPC, so they need an EKS cluster.
    """
    t = ctx.topology
    owners: list[tuple[str, str, ListenerSpec | AgentServerSpec]] = [
        ("listeners", n, x) for n, x in t.listeners.items()
    ]
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


@rule("node-group-size")
def node_group_sizes_ordered(ctx: RuleContext) -> Iterator[Diagnostic]:
    """`minSize <= desiredSize <= maxSize`."""
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


@rule("exposure")
def exposure_can_serve(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Istio names its `gateway`; `hostname` is a DNS name; `tls` has a `hostname`, and a
    `secretName` exactly when the stack serves the traffic itself; `ingressClassName` only with
    plain Ingress.

    Istio names its gateway; TLS has a certificate and a hostname; classes fit the kind.
    """
    for cname, cluster in ctx.topology.clusters.items():
        path = ("clusters", cname)
        if cluster.ingress == "istio" and cluster.gateway is None:
            yield ctx.error(
                (*path, "ingress"),
                f"cluster '{cname}' uses Istio but names no gateway: add 'gateway: {{name: ..., "
                "namespace: ...}' (the Istio Gateway the operator attaches VirtualServices to)",
            )
        if cluster.hostname is not None and (problem := hostname_problem(cluster.hostname)):
            yield ctx.error((*path, "hostname"), f"hostname '{cluster.hostname}' {problem}")
        if cluster.ingress_class_name is not None and cluster.ingress != "ingress":
            yield ctx.error(
                (*path, "ingressClassName"),
                "'ingressClassName' applies only with 'ingress: ingress'",
                at="key",
            )
        yield from _tls(ctx, cname)


def _tls(ctx: RuleContext, cname: str) -> Iterator[Diagnostic]:
    cluster = ctx.topology.clusters[cname]
    if cluster.tls is None:
        return
    path = ("clusters", cname, "tls")
    if cluster.hostname is None:
        yield ctx.error(path, "TLS needs 'hostname' (the name the certificate is for)", at="key")
    own_gateway = cluster.ingress == "ingress" or (
        cluster.ingress == "gateway" and cluster.gateway is None
    )
    secret = cluster.tls.secret_name
    if own_gateway and not secret:
        where = (
            "the listener's namespace"
            if cluster.ingress == "ingress"
            else "namespace 'langgraph-gateway'"
        )
        yield ctx.error(
            path,
            f"the stack serves cluster '{cname}' itself, so TLS needs 'secretName': a "
            f"kubernetes.io/tls Secret for the hostname in {where}",
            at="key",
        )
    if not own_gateway and secret:
        yield ctx.error(
            (*path, "secretName"),
            f"cluster '{cname}' routes through the gateway it names, which holds its own "
            "certificate: drop 'secretName' (keep 'tls: {}' to advertise https)",
            at="key",
        )


_KUBERNETES_VERSION = re.compile(r"1\.[1-9][0-9]?")


# AWS region codes: us-east-1, eu-west-3, ap-southeast-2, us-gov-west-1, cn-north-1, ...
_AWS_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}")


@rule("eks-version")
def eks_versions_are_kubernetes_minors(ctx: RuleContext) -> Iterator[Diagnostic]:
    """EKS `version` is a Kubernetes minor version (`"1.33"`) and `region` an AWS region code.

    EKS takes a Kubernetes minor version, `"1.33"`, in an AWS region code.
    """
    for cname, cluster in ctx.topology.clusters.items():
        if cluster.eks is not None and not _AWS_REGION.fullmatch(cluster.eks.region):
            yield ctx.error(
                ("clusters", cname, "eks", "region"),
                f"EKS region '{cluster.eks.region}' is not an AWS region code such as 'us-east-1'",
            )
        if cluster.eks is not None and not _KUBERNETES_VERSION.fullmatch(cluster.eks.version):
            yield ctx.error(
                ("clusters", cname, "eks", "version"),
                f"EKS version '{cluster.eks.version}' is not a Kubernetes minor version such as "
                '"1.33"',
            )


@rule("gateway-namespace")
def gateway_namespaces_are_the_gateways(ctx: RuleContext) -> Iterator[Diagnostic]:
    """No listener or server namespace is the namespace of the cluster's named gateway."""
    t = ctx.topology
    gateways = {
        name: cluster.gateway.namespace
        for name, cluster in t.clusters.items()
        if cluster.gateway is not None
    }
    if not gateways:
        return
    owners: list[tuple[Path, str, str]] = [
        (("listeners", lname, "namespaces", i), listener.cluster, ns)
        for lname, listener in t.listeners.items()
        for i, ns in enumerate(listener.namespaces)
    ]
    owners += [
        (("agentServers", sname, "namespace"), server.cluster, server.namespace)
        for sname, server in t.agent_servers.items()
    ]
    for path, cluster, namespace in owners:
        if gateways.get(cluster) == namespace:
            yield ctx.error(
                path,
                f"namespace '{namespace}' holds cluster '{cluster}''s gateway: the stack would "
                "claim it and put default-deny policies on the gateway's own pods, cutting every "
                "route; choose another namespace",
            )


_ROLE_ARN = re.compile(r"arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}")
_PROFILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@rule("eks-credentials")
def eks_credentials_are_well_formed(ctx: RuleContext) -> Iterator[Diagnostic]:
    """EKS `roleArn` is an IAM role ARN and `profile` an AWS profile name (letters, digits, `_`,
    `.`, `-`): both end up in the exported kubeconfig's command line and environment.
    """
    for cname, cluster in ctx.topology.clusters.items():
        eks = cluster.eks
        if eks is None:
            continue
        base = ("clusters", cname, "eks")
        if eks.role_arn is not None and not _ROLE_ARN.fullmatch(eks.role_arn):
            yield ctx.error(
                (*base, "roleArn"),
                "roleArn is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)",
            )
        if eks.profile is not None and not _PROFILE.fullmatch(eks.profile):
            yield ctx.error(
                (*base, "profile"),
                "profile must be 1-64 letters, digits, '_', '.' or '-', starting with a letter "
                "or digit",
            )


RULES = (
    ingress_supports_layout,
    aws_services_need_eks,
    node_group_sizes_ordered,
    exposure_can_serve,
    eks_versions_are_kubernetes_minors,
    gateway_namespaces_are_the_gateways,
    eks_credentials_are_well_formed,
)
