"""Every name the stack derives from topology keys, with the key it comes from and the scope
it must be unique in: what the `derived-names` rule checks (one place, beside `naming`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from langsmith_dataplane.naming import (
    ELASTICACHE_ID_MAX,
    HELM_RELEASE_NAME_MAX,
    K8S_LABEL_MAX,
    RDS_IDENTIFIER_MAX,
    STATEFULSET_NAME_MAX,
    database_job,
    deployment_env_secret,
    deployment_stores_secret,
    elasticache_id,
    listener_api_key_secret,
    listener_chart_objects,
    listener_release_namespace,
    postgres_admin_secret,
    postgres_roles_secret,
    rds_identifier,
    redis_auth_secret,
    redis_connection_secret,
    release_policies_key,
    server_certificate_grant,
    server_chart_objects,
    server_env_secret,
    server_keys_secret,
    server_policies_key,
    server_stores_secret,
    service_key_resource,
    store_server,
    watched_policies_key,
    workspace_component,
)
from langsmith_dataplane.topology.schema import (
    Topology,
)
from langsmith_dataplane.topology.source_map import Path
from langsmith_dataplane.topology.workspace_use import creates_keys, is_created

_DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")


_DNS1123 = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


_AWS_ID = re.compile(r"[a-z](-?[a-z0-9])*")  # letter first, no '--', no trailing '-'


class Derived(NamedTuple):
    """A name the program creates: `kind` says what it must be, `scope` where it is unique.
    (A tuple: a large topology makes tens of thousands.)"""

    value: str
    kind: str
    what: str
    path: Path
    scope: tuple[str, ...] | None = None


def kind_problem(kind: str, value: str) -> str | None:
    if kind == "service":
        if len(value) > K8S_LABEL_MAX or not _DNS1035.fullmatch(value):
            return (
                f"must be a DNS-1035 label of at most {K8S_LABEL_MAX} characters (a Service "
                "name: lower-case letters, digits and '-', starting with a letter)"
            )
    elif kind == "label":
        if len(value) > K8S_LABEL_MAX or not _DNS1123.fullmatch(value):
            return f"must be a label value of at most {K8S_LABEL_MAX} characters"
    elif kind == "statefulset":
        if len(value) > STATEFULSET_NAME_MAX or not _DNS1035.fullmatch(value):
            return (
                f"must start with a letter and be at most {STATEFULSET_NAME_MAX} characters (its "
                "Service name, and its pods' revision label)"
            )
    elif kind == "namespace":
        if len(value) > K8S_LABEL_MAX or not _DNS1123.fullmatch(value):
            return f"must be an RFC 1123 label of at most {K8S_LABEL_MAX} characters"
    elif kind == "object":
        if len(value) > 253 or not _SUBDOMAIN.fullmatch(value):
            return "must be an RFC 1123 subdomain of at most 253 characters"
    elif kind == "release":
        if len(value) > HELM_RELEASE_NAME_MAX or not _DNS1123.fullmatch(value):
            return f"must be at most {HELM_RELEASE_NAME_MAX} characters (a Helm release name)"
    elif kind in ("rds", "elasticache"):
        limit = RDS_IDENTIFIER_MAX if kind == "rds" else ELASTICACHE_ID_MAX
        if len(value) > limit or not _AWS_ID.fullmatch(value):
            return (
                f"must be at most {limit} characters, start with a letter and hold no '--' "
                "(an AWS identifier)"
            )
    return None


def _stores(
    t: Topology, owner: Path, identity: str, namespace: str, cluster: str, postgres, redis
) -> Iterator[Derived]:
    """The objects of a listener's or server's Postgres and Redis."""
    scope = ("k8s", cluster, namespace)
    eks = t.clusters[cluster].eks
    region = eks.region if eks else None
    for store, spec in (("postgres", postgres), ("redis", redis)):
        if spec is None:
            continue
        in_cluster = spec.in_cluster is not None
        if in_cluster:
            name = store_server(identity, store)
            yield Derived(name, "statefulset", f"the {store} StatefulSet", owner, (*scope, "sts"))
            yield Derived(name, "service", f"the {store} Service", owner, (*scope, "svc"))
        elif region is not None:
            if store == "postgres":
                ident = rds_identifier(identity)
                yield Derived(ident, "rds", "the RDS identifier", owner, ("aws", region, "rds"))
            else:
                ident = elasticache_id(identity)
                where = ("aws", region, "elasticache")
                yield Derived(ident, "elasticache", "the ElastiCache group id", owner, where)
    secrets = (*scope, "secret")
    if postgres is not None:
        job = database_job(identity)
        yield Derived(job, "label", "the database Job", owner, (*scope, "job"))
        yield Derived(postgres_admin_secret(identity), "object", "a Secret", owner, secrets)
        yield Derived(postgres_roles_secret(identity), "object", "a Secret", owner, secrets)
    yield Derived(redis_connection_secret(identity), "object", "a Secret", owner, secrets)
    if redis is not None and redis.in_cluster is not None:
        yield Derived(redis_auth_secret(identity), "object", "a Secret", owner, secrets)


def _own_form(key: str, limit: int) -> bool:
    """A key whose own form is wrong is reported by the rule for it, once, not again here."""
    return len(key) <= limit and _DNS1123.fullmatch(key) is not None


def _workspace_records(t: Topology) -> Iterator[Derived]:
    """The Pulumi names of each workspace's records (`-record` or `-lookup`) and of every
    service key it makes: all children of one `Workspace` type with one resource type, so two
    equal names are one URN whatever their workspaces (reported at the key that makes each)."""
    scope = ("pulumi", "workspace-records")
    what = "a Pulumi resource name"
    for wname, workspace in sorted(t.workspaces.items()):
        path: Path = ("workspaces", wname)
        component = workspace_component(wname)
        if is_created(workspace):
            yield Derived(f"{component}-record", "", what, path, scope)
            yield Derived(f"{component}-lookup", "", what, path, scope)
        if not creates_keys(workspace):
            continue
        # The workloads a workspace makes a service key for: (section, kind, name, workspace).
        owners = [
            *(("listeners", "listener", n, spec.workspace) for n, spec in t.listeners.items()),
            *(
                ("agentServers", "agent-server", n, spec.workspace)
                for n, spec in t.agent_servers.items()
            ),
            *(
                ("cloudDeployments", "cloud-deployment", n, spec.workspace)
                for n, spec in t.cloud_deployments.items()
            ),
        ]
        for section, kind, name, workspace_of in sorted(owners):
            if workspace_of == wname:
                key = service_key_resource(wname, kind, name)
                yield Derived(key, "", what, (section, name), scope)


def derived_names(t: Topology) -> Iterator[Derived]:
    """Every derived name, with the topology key it comes from."""
    yield from _workspace_records(t)
    for lname, listener in sorted(t.listeners.items()):
        path: Path = ("listeners", lname)
        cluster = listener.cluster
        identity = listener.renamed_from or lname  # object names survive a rename
        if cluster not in t.clusters or not _own_form(identity, HELM_RELEASE_NAME_MAX):
            continue  # reported by unknown-reference, rfc1123-name, release-name-length
        if listener.renamed_from is not None and listener.renamed_from in t.listeners:
            continue  # reported by renamed-from
        release_ns = listener_release_namespace(
            t.clusters[cluster].ingress, listener.namespaces, identity
        )
        scope = ("k8s", cluster, release_ns)
        helm = ("helm", cluster, release_ns)
        yield Derived(identity, "release", "the Helm release", path, helm)
        yield Derived(release_ns, "namespace", "the release namespace", path)
        for name in listener_chart_objects(identity):
            yield Derived(name, "service", "a listener chart object", path)
        api_key = listener_api_key_secret(identity)
        yield Derived(api_key, "object", "a Secret", path, (*scope, "secret"))
        postgres = listener.postgres if listener.deployments else None
        yield from _stores(t, path, identity, release_ns, cluster, postgres, listener.redis)
        for dname, deployment in sorted(listener.deployments.items()):
            dpath: Path = (*path, "deployments", dname)
            if not _own_form(dname, K8S_LABEL_MAX):
                continue
            ns = deployment.namespace or listener.namespaces[0]
            secrets = ("k8s", cluster, ns, "secret")
            yield Derived(deployment_stores_secret(dname), "object", "a Secret", dpath, secrets)
            if deployment.secret_env:
                yield Derived(deployment_env_secret(dname), "object", "a Secret", dpath, secrets)
            # Pulumi logical name of the stores Secret: `<listener>-ns-<ns>-<deployment>-stores`.
            logical = f"{watched_policies_key(lname, ns)}-{dname}"
            yield Derived(logical, "", "a Pulumi resource name", dpath, ("pulumi", lname))
        for ns in listener.namespaces:
            logical = watched_policies_key(lname, ns)
            yield Derived(logical, "", "a Pulumi resource name", path, ("pulumi", cluster, "net"))
        net = ("pulumi", cluster, "net")
        yield Derived(release_policies_key(lname), "", "a Pulumi resource name", path, net)
    for sname, server in sorted(t.agent_servers.items()):
        path = ("agentServers", sname)
        cluster, ns = server.cluster, server.namespace
        if cluster not in t.clusters or not _own_form(sname, HELM_RELEASE_NAME_MAX):
            continue
        scope = ("k8s", cluster, ns)
        yield Derived(sname, "release", "the Helm release", path, ("helm", cluster, ns))
        for name in server_chart_objects(sname):
            yield Derived(name, "service", "a langgraph-cloud chart object", path)
        for secret in (server_keys_secret(sname), server_stores_secret(sname)):
            yield Derived(secret, "object", "a Secret", path, (*scope, "secret"))
        if server.secret_env:
            yield Derived(server_env_secret(sname), "object", "a Secret", path, (*scope, "secret"))
        if server.tls is not None:
            grant = server_certificate_grant(sname)
            yield Derived(grant, "object", "a ReferenceGrant", path, (*scope, "grant"))
        yield from _stores(t, path, sname, ns, cluster, server.postgres, server.redis)
        logical = server_policies_key(sname)
        yield Derived(logical, "", "a Pulumi resource name", path, ("pulumi", cluster, "net"))
