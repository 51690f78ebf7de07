"""`IngressPolicies`: who may open a connection to the data plane's pods, and nothing more.

In-cluster Postgres and Redis authenticate with a password and speak no TLS, and an Agent
Server answers anyone who reaches its port: without ingress policies every pod of the cluster
could reach them. In every namespace the stack owns: a default-deny ingress policy, pods of the
same namespace, then exactly the paths that must exist:

* Agent Server pods (port 8000) from the exposure's proxy namespace (Envoy Gateway, Traefik or
  the Gateway you name; any namespace when the stack does not know where your own Ingress
  controller runs), and from the listener's release namespace (its health check of each
  deployment). A standalone server without a hostname admits no one from outside;
* the stores from the namespaces whose workloads use them (a listener's deployments in its
  watched namespaces; KEDA, whose scalers read the listener's queue).

Nothing else: in plain-Ingress mode the listener chart's Ingress also routes `/metrics` to the
operator (port 8081), which no policy admits, so the metrics are not published. Kubelet
probes are not subject to NetworkPolicy. A monitoring stack that scrapes these pods needs an
allow policy of your own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pulumi

from components._common import base_labels, network_policy

AGENT_SERVER_PORT = 8000  # the Agent Server container's port (both charts)


@dataclass(frozen=True)
class StoreAccess:
    """A store's pods in this namespace and the namespaces whose pods use it."""

    name: str
    pod_labels: Mapping[str, str]
    port: int
    clients: Sequence[pulumi.Input[str]]


@dataclass(frozen=True)
class IngressNamespace:
    """`key` names the Pulumi resources (stable); `namespace` is the Kubernetes name;
    `owner` labels the policies (`listener` or `agent-server`)."""

    key: str
    namespace: pulumi.Input[str]
    owner: Mapping[str, str]
    agent_callers: Sequence[pulumi.Input[str]] = ()
    stores: Sequence[StoreAccess] = field(default_factory=tuple)
    previous_key: str | None = None


def _from_namespaces(namespaces: Sequence[pulumi.Input[str]]) -> pulumi.Output[list[Any]]:
    """Peers for these namespaces; an empty name stands for every namespace."""

    def peers(names: list[str]) -> list[Any]:
        if "" in names:
            return [{"namespaceSelector": {}}]
        return [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": n}}}
            for n in sorted(set(names))
        ]

    return pulumi.Output.all(*namespaces).apply(peers)


class IngressPolicies(pulumi.ComponentResource):
    def __init__(
        self,
        name: str,
        namespaces: Sequence[IngressNamespace],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("langsmith:index:IngressPolicies", name, None, opts)
        self._name = name
        for target in sorted(namespaces, key=lambda n: n.key):
            self._policies(target)
        self.register_outputs({})

    def _policy(
        self, target: IngressNamespace, policy: str, spec: pulumi.Input[dict[str, Any]]
    ) -> None:
        network_policy(
            self,
            component=self._name,
            key=target.key,
            previous_key=target.previous_key,
            policy=policy,
            namespace=target.namespace,
            labels={**base_labels(), **target.owner, "langsmith.com/ingress": policy},
            spec=spec,
        )

    def _policies(self, target: IngressNamespace) -> None:
        self._policy(
            target, "default-deny-ingress", {"podSelector": {}, "policyTypes": ["Ingress"]}
        )
        self._policy(
            target,
            "allow-same-namespace-ingress",
            {
                "podSelector": {},
                "policyTypes": ["Ingress"],
                "ingress": [{"from": [{"podSelector": {}}]}],
            },
        )
        if target.agent_callers:
            self._policy(
                target,
                "allow-agent-server-ingress",
                _from_namespaces(target.agent_callers).apply(
                    lambda peers: {
                        "podSelector": {},
                        "policyTypes": ["Ingress"],
                        "ingress": [
                            {
                                "from": peers,
                                "ports": [{"protocol": "TCP", "port": AGENT_SERVER_PORT}],
                            }
                        ],
                    }
                ),
            )
        for store in target.stores:
            if not store.clients:
                continue
            self._policy(
                target,
                f"allow-{store.name}-clients",
                _from_namespaces(store.clients).apply(partial(_store_policy, store)),
            )


def _store_policy(store: StoreAccess, peers: list[Any]) -> dict[str, Any]:
    """Only the store's clients (namespaces) reach the store's pods, on its port."""
    return {
        "podSelector": {"matchLabels": dict(store.pod_labels)},
        "policyTypes": ["Ingress"],
        "ingress": [{"from": peers, "ports": [{"protocol": "TCP", "port": store.port}]}],
    }
