"""`network_policy` registers through the untyped object class for speed; the engine and the
provider must get exactly the request the typed `networking.v1.NetworkPolicy` would send.

Checked on the RegisterResource request itself (inputs, aliases with their type specs, parent,
provider, version, dependencies), not on what the recording monitor keeps of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from google.protobuf import json_format

from components._common import network_policy
from tests.sim import registrations

# Where each call came from: it differs by construction and the engine only reports it.
_CALL_SITE_FIELDS = ("sourcePosition", "stackTrace")
SPEC = {
    "podSelector": {},
    "policyTypes": ["Egress"],
    "egress": [
        {
            "to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.1.0/24"]}}],
            "ports": [{"port": 443, "protocol": "TCP"}],
        },
        {
            "to": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                    },
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                }
            ],
            "ports": [{"port": 53, "protocol": "UDP"}],
        },
    ],
}
LABELS = {"app.kubernetes.io/managed-by": "langsmith-dataplane"}


def _policy_request(
    monkeypatch: pytest.MonkeyPatch, declare: Callable[[pulumi.Resource, Any], None]
) -> dict[str, Any]:
    """The policy's RegisterResource request, as JSON, without its call site."""

    def program() -> dict[str, Any]:
        parent = pulumi.ComponentResource("langsmith:index:Egress", "egress")
        namespace = k8s.core.v1.Namespace(
            "ns", metadata={"name": "agents"}, opts=pulumi.ResourceOptions(parent=parent)
        )
        declare(parent, namespace.metadata.name)
        return {}

    requests = registrations(monkeypatch, program)
    (policy,) = [r for r in requests if r.type.endswith(":NetworkPolicy")]
    found = json_format.MessageToDict(policy)
    return {k: v for k, v in found.items() if k not in _CALL_SITE_FIELDS}


@pytest.mark.parametrize("previous_key", [None, "old"])
def test_the_request_is_the_typed_classes(
    monkeypatch: pytest.MonkeyPatch, previous_key: str | None
) -> None:
    def ours(parent: pulumi.Resource, namespace: Any) -> None:
        network_policy(
            parent,
            component="egress",
            key="alpha",
            previous_key=previous_key,
            policy="egress",
            namespace=namespace,
            labels=LABELS,
            spec=SPEC,
        )

    def typed(parent: pulumi.Resource, namespace: Any) -> None:
        aliases = [pulumi.Alias(name="egress-old-egress")] if previous_key else None
        k8s.networking.v1.NetworkPolicy(
            "egress-alpha-egress",
            metadata={"name": "langsmith-egress", "namespace": namespace, "labels": LABELS},
            spec=SPEC,
            opts=pulumi.ResourceOptions(parent=parent, aliases=aliases),
        )

    sent = _policy_request(monkeypatch, ours)
    assert sent == _policy_request(monkeypatch, typed)
    kinds = [a.get("spec", {}).get("type") for a in sent.get("aliases", [])]
    assert "kubernetes:extensions/v1beta1:NetworkPolicy" in kinds  # the typed class's alias
