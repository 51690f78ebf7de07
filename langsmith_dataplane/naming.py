"""Names derived from topology keys. Every Kubernetes and cloud name comes from here.

Names derive from keys, never list positions, so reordering a list renames nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence

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


def listener_release_namespace(ingress: str, namespaces: Sequence[str], identity: str) -> str:
    """Where the listener's Helm release (and its stores) live.

    With Gateway API or Istio, a namespace of its own (`langgraph-<listener>`), as LangSmith
    requires for several releases per cluster. With plain Ingress (one listener with one
    namespace per cluster, enforced by the rules) the release goes INTO that namespace: the
    chart always puts the shared Ingress in the release namespace, an Ingress routes only to
    Services of its own namespace, and the operator's ingress RBAC covers only watched ones.
    """
    if ingress == "ingress" and len(namespaces) == 1:
        return namespaces[0]
    return release_namespace(identity)


def host_queue(listener: str) -> str:
    """SAQ queue name; distinct per release so releases sharing a Redis never collide."""
    return f"host-{listener}"


def is_reserved_namespace(name: str) -> bool:
    return name in RESERVED_NAMESPACES or name.startswith("kube-")


def is_addon_namespace(name: str) -> bool:
    return name in ADDON_NAMESPACES


# -- names of the objects the program creates -------------------------------------------------
# Components call these, and the `derived-names` rule computes them all for a topology and checks
# each as what it becomes (length, form, uniqueness in its scope), so a name that cannot exist is
# a validate error at the key that causes it, never a failure half-way through `pulumi up`.

CLUSTER_PROVIDER_SUFFIX = "-k8s"  # each cluster's Kubernetes provider is `<cluster>-k8s`
STATEFULSET_NAME_MAX = 52  # its pods' controller-revision-hash label is <name>-<10 chars>
RDS_IDENTIFIER_MAX = 63
ELASTICACHE_ID_MAX = 40
SERVER_API_SUFFIX = "-api-server"  # the langgraph-cloud chart's API server Deployment/Service
SERVER_QUEUE_SUFFIX = "-queue"


def bounded_name(base: str, limit: int) -> str:
    """`base` if it fits in `limit` characters, else a prefix plus a short stable hash."""
    if len(base) <= limit:
        return base
    digest = hashlib.sha256(base.encode()).hexdigest()[:8]
    return f"{base[: limit - 9].rstrip('-')}-{digest}"


def store_server(identity: str, store: str) -> str:
    """StatefulSet and Service of an in-cluster store: `<identity>-postgres`, `<identity>-redis`
    (a hashed form past 52 characters, where the StatefulSet's pods could not be labelled)."""
    return bounded_name(f"{identity}-{store}", STATEFULSET_NAME_MAX)


def postgres_admin_secret(identity: str) -> str:
    return f"{identity}-postgres-admin"


def postgres_roles_secret(identity: str) -> str:
    """The per-deployment database roles' passwords (read by the database Job only)."""
    return f"{identity}-postgres-roles"


def database_job(identity: str) -> str:
    """The Job that makes each deployment's database and role (its pods carry the name in a
    label, so at most 63 characters)."""
    return bounded_name(f"{identity}-databases", K8S_LABEL_MAX)


def redis_auth_secret(identity: str) -> str:
    """The in-cluster Redis's password, mounted into its pod."""
    return f"{store_server(identity, 'redis')}-auth"


def redis_connection_secret(identity: str) -> str:
    return f"{identity}-redis-connection"


def rds_identifier(identity: str) -> str:
    return bounded_name(f"lsdp-{identity}", RDS_IDENTIFIER_MAX)


def elasticache_id(identity: str) -> str:
    return bounded_name(f"lsdp-{identity}", ELASTICACHE_ID_MAX)


def listener_api_key_secret(listener: str) -> str:
    return f"{listener}-langsmith-api-key"


def deployment_stores_secret(deployment: str) -> str:
    """`POSTGRES_URI_CUSTOM` / `REDIS_URI_CUSTOM` of one deployment, in its namespace only."""
    return f"{deployment}-backing-stores"


def deployment_env_secret(deployment: str) -> str:
    """The values of a deployment's `secretEnv`, in its namespace (sent by reference)."""
    return f"{deployment}-env"


def server_fullname(server: str) -> str:
    """The langgraph-cloud chart's `fullnameOverride`: its objects are `<server>-api-server`,
    `<server>-queue`, ... (fixed now: Deployment selectors are immutable)."""
    return server


def server_keys_secret(server: str) -> str:
    return f"{server}-langgraph-keys"


def server_stores_secret(server: str) -> str:
    return f"{server}-stores"


def server_env_secret(server: str) -> str:
    return f"{server}-env"


LISTENER_CHART_NAME = "langgraph-dataplane"
LISTENER_CHART_OBJECTS = ("listener", "operator", "ingress", "config", "redis", "secrets")
SERVER_CHART_OBJECTS = (SERVER_API_SUFFIX, SERVER_QUEUE_SUFFIX, "-ingress", "")


def listener_chart_fullname(release: str) -> str:
    """The listener chart's `fullname` (its `_helpers.tpl`): it is not overridden, since the
    operator's and listener's Deployment selectors hold it and cannot change in place."""
    if LISTENER_CHART_NAME in release:
        return release[:63].rstrip("-")
    return f"{release}-{LISTENER_CHART_NAME}"[:63].rstrip("-")


def listener_chart_objects(release: str) -> list[str]:
    """Names (and `app.kubernetes.io/component` labels) of the listener chart's objects."""
    fullname = listener_chart_fullname(release)
    return [f"{fullname}-{suffix}" for suffix in LISTENER_CHART_OBJECTS]


def server_chart_objects(server: str) -> list[str]:
    """Names (and component labels) of the langgraph-cloud chart's objects for a server."""
    return [f"{server_fullname(server)}{suffix}" for suffix in SERVER_CHART_OBJECTS]


def server_certificate_grant(server: str) -> str:
    """The ReferenceGrant that lets the stack's Gateway read a server's certificate."""
    return f"{server_fullname(server)}-gateway-certificate"


def server_gateway_listener(server: str) -> str:
    """The stack-owned Gateway's listener (sectionName) that serves one server's hostname."""
    return f"server-{server}"


def cluster_provider(cluster: str) -> str:
    return f"{cluster}{CLUSTER_PROVIDER_SUFFIX}"


# -- Pulumi logical names the wiring gives (they are part of every child's URN) --------------


def release_policies_key(listener: str) -> str:
    """The network policies of a listener's release namespace."""
    return f"{listener}-release"


def watched_policies_key(listener: str, namespace: str) -> str:
    """The network policies of a namespace a listener watches."""
    return f"{listener}-ns-{namespace}"


def server_policies_key(server: str) -> str:
    """The network policies of a standalone server's namespace."""
    return f"{server}-server"


def egress_component(cluster: str) -> str:
    """The `Egress` component of a cluster."""
    return f"{cluster}-egress"


def ingress_component(cluster: str) -> str:
    """The `IngressPolicies` component of a cluster."""
    return f"{cluster}-ingress"


def workspace_component(workspace: str) -> str:
    """The `Workspace` component of a workspace the stack creates, finds, or makes keys in;
    its record is `<name>-record` (created) or `<name>-lookup` (found by handle)."""
    return f"workspace-{workspace}"


def service_key_resource(workspace: str, kind: str, owner: str) -> str:
    """The service key of one listener or Agent Server (`kind`: listener, agent-server), a
    child of the workspace's component."""
    return f"{workspace_component(workspace)}-key-{kind}-{owner}"


def created_workspace_ids(
    organization_id: str, stack: str, workspace: str, handle: str | None, count: int = 16
) -> tuple[str, ...]:
    """The ids the owner stack gives a workspace it creates, first choice first (LangSmith
    accepts a client-chosen `id` on create, and never gives a used one again, deleted or not):
    a lost create answer, and a workspace kept on an earlier removal, are recognised by them,
    never by a name. Derived from the organisation, the owner stack and the workspace's key and
    handle, so no other stack or repository arrives at them."""
    seed = f"langsmith-dataplane:workspace:{organization_id}/{stack}/{workspace}/{handle or ''}"
    return tuple(str(uuid.uuid5(uuid.NAMESPACE_URL, f"{seed}#{n}")) for n in range(count))


def deployment_owner(stack: str, deployment: str) -> str:
    """What a deployment the stack made carries in LangSmith (`DATAPLANE_MANAGED_BY`): how a
    later create tells the stack's own deployment (a lost answer) from someone else's."""
    return f"langsmith-dataplane stack {stack}: deployment {deployment}"


def cloud_deployment_resource(deployment: str) -> str:
    """A Cloud SaaS deployment (top level: LangChain runs it, no cluster component holds it)."""
    return f"cloud-{deployment}"


# -- Names LangSmith shows --------------------------------------------------------------------


def service_key_description(
    stack: str, cluster: str, kind: str, owner: str, generation: int
) -> str:
    """What the LangSmith UI shows for a key the stack made, and its natural key: one owner,
    one generation. Every part is a validated topology name (no spaces or quotes)."""
    return (
        f"langsmith-dataplane: {kind} {owner} on cluster {cluster} (stack {stack}), "
        f"generation {generation}"
    )
