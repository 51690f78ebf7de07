"""`Egress`: the data plane reaches the control plane, its stores and `egress.allow`, nothing else.

In every listener namespace and release namespace: a default-deny egress NetworkPolicy, then
allows for DNS (kube-dns and NodeLocal DNSCache), pods of the same namespace, the control plane
addresses on TCP 443, the listener's Postgres and Redis, the Kubernetes API server and the
listener's health check of its Agent Servers (release namespaces: the listener and operator do
both, Agent Servers neither) and `egress.allow` (Agent Server namespaces). With plain Ingress one
namespace is both. On EKS the same destinations become standalone egress rules on the node
security group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from components._common import base_labels, child_opts, lifted, network_policy, slug
from langsmith_dataplane.control_plane import CONTROL_PLANE_PORT


@dataclass(frozen=True)
class Destination:
    """A backing store: in-cluster pods (namespace + labels) or addresses (CIDRs)."""

    name: str
    port: int
    namespace: pulumi.Input[str] | None = None
    pod_labels: Mapping[str, str] | None = None
    cidrs: pulumi.Input[Sequence[str]] | None = None

    def source(self) -> pulumi.Input[Any]:
        """What the peer is made from: the namespace's name, or the CIDRs."""
        return self.namespace if self.pod_labels is not None else (self.cidrs or [])

    def rule(self, source: Any) -> dict[str, Any]:
        """The egress rule to this store, from the resolved `source()`."""
        if self.pod_labels is not None:
            peers = [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": source}},
                    "podSelector": {"matchLabels": dict(self.pod_labels)},
                }
            ]
        else:
            peers = [{"ipBlock": {"cidr": c}} for c in source]
        return {"to": peers, "ports": _tcp(self.port)}


@dataclass(frozen=True)
class EgressNamespace:
    """`key` names the Pulumi resources (stable); `namespace` is the Kubernetes name."""

    key: str
    namespace: pulumi.Input[str]
    roles: frozenset[Literal["release", "agents"]]
    listener: str
    stores: Sequence[Destination] = field(default_factory=tuple)
    previous_key: str | None = None  # the key before a `renamedFrom` rename, for aliases
    # Where the listener's GET /ok reaches Agent Servers (release role, with a hostname only).
    health_check: pulumi.Input[Sequence[Mapping[str, Any]]] | None = None
    # Standalone Agent Servers: beacon.langchain.com's addresses for license checks (TCP 443).
    license_cidrs: Sequence[str] = ()
    # What owns the namespace, for the policies' labels: a listener or a standalone server.
    owner_kind: Literal["listener", "agent_server"] = "listener"


@dataclass(frozen=True)
class AllowRule:
    """A destination the topology allows every data-plane pod (and node) to reach."""

    name: str
    cidrs: Sequence[str]
    ports: Sequence[int]
    protocol: Literal["TCP", "UDP"] = "TCP"


@dataclass(frozen=True)
class EgressArgs:
    namespaces: Sequence[EgressNamespace]
    control_plane_cidrs: Sequence[str]
    api_server: pulumi.Input[Sequence[Mapping[str, Any]]]
    allow: Sequence[AllowRule] = field(default_factory=tuple)
    node_security_group_id: pulumi.Input[str] | None = None
    aws_provider: aws.Provider | None = None


DNS_PEER = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}
# NodeLocal DNSCache answers on this link-local address (host network), not from kube-dns pods.
NODE_LOCAL_DNS_PEER = {"ipBlock": {"cidr": "169.254.20.10/32"}}


def _tcp(*ports: int) -> list[dict[str, Any]]:
    return [{"protocol": "TCP", "port": p} for p in ports]


class Egress(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: EgressArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("langsmith:index:Egress", name, None, opts)
        self._name = name
        for target in sorted(args.namespaces, key=lambda n: n.key):
            self._namespace_policies(target, args)
        if args.node_security_group_id is not None:
            self._security_group_rules(name, args)
        self.register_outputs({})

    def _policy(
        self, target: EgressNamespace, policy: str, egress: pulumi.Input[Sequence[Any]]
    ) -> None:
        owner: dict[str, str] = {target.owner_kind: target.listener}
        network_policy(
            self,
            component=self._name,
            key=target.key,
            previous_key=target.previous_key,
            policy=policy,
            namespace=target.namespace,
            labels={**base_labels(**owner), "langsmith.com/egress": policy},
            spec=lifted(egress, _spec),
        )

    def _namespace_policies(self, target: EgressNamespace, args: EgressArgs) -> None:
        self._policy(target, "default-deny-egress", [])
        self._policy(
            target,
            "allow-dns",
            [
                {
                    "to": [DNS_PEER, NODE_LOCAL_DNS_PEER],
                    "ports": [{"protocol": "UDP", "port": 53}, *_tcp(53)],
                }
            ],
        )
        self._policy(target, "allow-same-namespace", [{"to": [{"podSelector": {}}]}])
        self._policy(
            target,
            "allow-control-plane",
            [
                {
                    "to": [{"ipBlock": {"cidr": c}} for c in args.control_plane_cidrs],
                    "ports": _tcp(CONTROL_PLANE_PORT),
                }
            ],
        )
        if "release" in target.roles:
            self._policy(target, "allow-kube-apiserver", lifted(args.api_server, _api_server_rules))
            if target.health_check is not None:
                self._policy(target, "allow-health-check", target.health_check)
        if target.stores:
            # One apply over the names and CIDRs (strings), not one per store over built rules:
            # `Output.all` would wrap every node of each rule in an Output of its own.
            stores = list(target.stores)
            rules = pulumi.Output.all(*[store.source() for store in stores]).apply(
                lambda sources: [s.rule(v) for s, v in zip(stores, sources, strict=True)]
            )
            self._policy(target, "allow-backing-stores", rules)
        if target.license_cidrs:
            self._policy(
                target,
                "allow-license-check",
                [
                    {
                        "to": [{"ipBlock": {"cidr": c}} for c in sorted(target.license_cidrs)],
                        "ports": _tcp(CONTROL_PLANE_PORT),
                    }
                ],
            )
        if "agents" in target.roles:
            for rule in args.allow:
                self._policy(
                    target,
                    f"allow-{rule.name}",
                    [
                        {
                            "to": [{"ipBlock": {"cidr": c}} for c in sorted(rule.cidrs)],
                            "ports": [
                                {"protocol": rule.protocol, "port": p} for p in sorted(rule.ports)
                            ],
                        }
                    ],
                )

    def _security_group_rules(self, name: str, args: EgressArgs) -> None:
        """Node-level egress for the topology's destinations, one standalone rule each."""
        aws_opts = {"provider": args.aws_provider} if args.aws_provider else {}
        rules: list[tuple[str, str, str, int]] = [
            (f"control-plane-{slug(c)}", c, "tcp", CONTROL_PLANE_PORT)
            for c in args.control_plane_cidrs
        ]
        license_cidrs = sorted({c for target in args.namespaces for c in target.license_cidrs})
        rules += [(f"license-check-{slug(c)}", c, "tcp", CONTROL_PLANE_PORT) for c in license_cidrs]
        for rule in args.allow:
            rules.extend(
                (f"{rule.name}-{slug(c)}-{p}", c, rule.protocol.lower(), p)
                for c in rule.cidrs
                for p in rule.ports
            )
        for suffix, cidr, protocol, port in rules:
            family = {"cidr_ipv6": cidr} if ":" in cidr else {"cidr_ipv4": cidr}
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-{suffix}",
                security_group_id=args.node_security_group_id,
                ip_protocol=protocol,
                from_port=port,
                to_port=port,
                description=f"LangSmith data plane egress: {suffix}",
                **family,
                opts=child_opts(self, **aws_opts),
            )


def _spec(egress: Sequence[Any]) -> dict[str, Any]:
    """No `egress` key at all for deny-all: the API server drops an empty list, and sending
    one would show as a change on every apply."""
    spec: dict[str, Any] = {"podSelector": {}, "policyTypes": ["Egress"]}
    if egress:
        spec["egress"] = egress
    return spec


def _api_server_rules(endpoints: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    by_port: dict[int, list[str]] = {}
    for endpoint in endpoints:
        by_port.setdefault(int(endpoint["port"]), []).append(str(endpoint["cidr"]))
    return [
        {"to": [{"ipBlock": {"cidr": c}} for c in sorted(cidrs)], "ports": _tcp(port)}
        for port, cidrs in sorted(by_port.items())
    ]
