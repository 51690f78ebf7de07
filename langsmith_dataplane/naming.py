"""Names derived from topology keys. Every Kubernetes and cloud name comes from here.

Names derive from keys, never list positions, so reordering a list renames nothing.
"""

from __future__ import annotations

from langsmith_dataplane.versions import GATEWAY_PROXY_NAMESPACE, INGRESS_NAMESPACE

HELM_RELEASE_NAME_MAX = 53
K8S_LABEL_MAX = 63
RELEASE_NAMESPACE_PREFIX = "langgraph-"
RESERVED_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
MANAGED_BY = "langsmith-dataplane"
# The Gateway the stack creates for `ingress: gateway` without `gateway:` (name, namespace).
DEFAULT_GATEWAY = ("langgraph", "langgraph-gateway")
# Namespaces the cluster add-ons own: no listener may deploy into them or be released there.
ADDON_NAMESPACES = frozenset(
    {"keda", GATEWAY_PROXY_NAMESPACE, DEFAULT_GATEWAY[1], INGRESS_NAMESPACE}
)


def release_name(listener: str) -> str:
    """Helm release name of a listener: its key (at most 53 characters, checked by the rules)."""
    return listener


def release_namespace(listener: str) -> str:
    """Each listener release lives in a namespace of its own, as LangSmith requires."""
    return f"{RELEASE_NAMESPACE_PREFIX}{listener}"


def host_queue(listener: str) -> str:
    """SAQ queue name; distinct per release so releases sharing a Redis never collide."""
    return f"host-{listener}"


def is_reserved_namespace(name: str) -> bool:
    return name in RESERVED_NAMESPACES or name.startswith("kube-")


def is_addon_namespace(name: str) -> bool:
    return name in ADDON_NAMESPACES
