"""Rules about how Agent Servers are reached: the exposure must be able to serve traffic.

A release that cannot route, advertise a working URL or pass its own health check is refused
here, with the fix, rather than rendered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.topology.rules import RuleContext, rule

# A DNS name: labels of letters, digits and '-', dot-separated, at most 253 characters.
_DNS_NAME = re.compile(
    r"([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*"
)


def hostname_problem(hostname: str) -> str | None:
    if len(hostname) <= 253 and _DNS_NAME.fullmatch(hostname):
        return None
    return (
        "is not a DNS name (lower-case letters, digits, '-' and '.', labels of at most 63 "
        "characters)"
    )


@rule("exposure")
def exposure_can_serve(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Istio names its gateway; TLS has a certificate and a hostname; classes fit the kind."""
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


@rule("workspace-id")
def workspace_ids_distinct(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Two workspace entries never name the same LangSmith workspace."""
    seen: dict[str, str] = {}
    for name, workspace in ctx.topology.workspaces.items():
        first = seen.setdefault(workspace.id.lower(), name)
        if first != name:
            yield ctx.error(
                ("workspaces", name, "id"),
                f"workspace '{name}' has the same id as workspace '{first}'; one LangSmith "
                "workspace is declared once",
            )


_KUBERNETES_VERSION = re.compile(r"1\.[1-9][0-9]?")
# AWS region codes: us-east-1, eu-west-3, ap-southeast-2, us-gov-west-1, cn-north-1, ...
_AWS_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}")
_STACK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


@rule("eks-version")
def eks_versions_are_kubernetes_minors(ctx: RuleContext) -> Iterator[Diagnostic]:
    """EKS takes a Kubernetes minor version, `"1.33"`, in an AWS region code."""
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


@rule("stack-name")
def stack_names_are_pulumi_names(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Stack names become `stacks/Pulumi.<stack>.yaml` and `pulumi -s <stack>` arguments."""
    for name in ctx.topology.stacks:
        if not _STACK_NAME.fullmatch(name) or ".." in name:
            yield ctx.error(
                ("stacks", name),
                f"stack name '{name}' must start with a letter or digit and hold only letters, "
                "digits, '-', '_' and single '.' (at most 100 characters)",
                at="key",
            )
