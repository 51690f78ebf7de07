"""Deployments a listener runs: images, variables, names, Redis DBs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.topology.rules.registry import (
    RuleContext,
    rule,
)

# An OCI image reference: [registry[:port]/]path[:tag][@digest] (distribution's grammar, lower
# case path components, a tag of at most 128 characters, a sha256 digest).
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"


_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"


_REGISTRY = rf"(?:{_HOST}(?:\.{_HOST})*(?::[0-9]+)?/)?"


_TAG = r"(?::[\w][\w.-]{0,127})?"


_DIGEST = r"(?:@sha256:[0-9a-f]{64})?"


_IMAGE = re.compile(rf"{_REGISTRY}{_COMPONENT}(?:/{_COMPONENT})*{_TAG}{_DIGEST}", re.ASCII)


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


# A Kubernetes object name (RFC 1123 subdomain).
_SECRET_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def secret_name_problem(name: str) -> str | None:
    if len(name) > 253 or not _SECRET_NAME.fullmatch(name):
        return (
            "is not a Kubernetes Secret name (RFC 1123 subdomain: lower-case letters, digits, "
            "'-' and '.')"
        )
    return None


# Set by the platform or by this project on every deployment: a user value would fight them.
# The variables LangSmith's host backend sets itself and refuses from users (langgraph-cli
# `deploy.py` RESERVED_ENV_VARS, the host backend's LANGCHAIN_RESERVED_ENV_VARS and, for
# self-hosted data planes, ALLOWED_SELF_HOSTED_ENV_VARS), plus its `LSD_*` family.
HOST_BACKEND_ENV = frozenset(
    {"LANGCHAIN_TRACING_V2", "LANGSMITH_TRACING_V2", "LANGCHAIN_ENDPOINT", "LANGCHAIN_PROJECT"}
    | {"LANGSMITH_PROJECT", "LANGSMITH_LANGGRAPH_GIT_REPO", "LANGGRAPH_GIT_REPO_PATH"}
    | {"LANGCHAIN_API_KEY", "LANGSMITH_CONTROL_PLANE_API_KEY", "POSTGRES_URI"}
    | {"POSTGRES_PASSWORD", "DATABASE_URI", "LANGSMITH_LANGGRAPH_GIT_REF"}
    | {"LANGSMITH_LANGGRAPH_GIT_REF_SHA", "LANGGRAPH_AUTH_TYPE", "LANGSMITH_AUTH_ENDPOINT"}
    | {"LANGSMITH_TENANT_ID", "LANGSMITH_AUTH_VERIFY_TENANT_ID", "LANGSMITH_HOST_PROJECT_ID"}
    | {"LANGSMITH_HOST_PROJECT_NAME", "LANGSMITH_HOST_REVISION_ID", "LOG_JSON"}
    | {"LOG_DICT_TRACEBACKS", "REDIS_URI", "LANGCHAIN_CALLBACKS_BACKGROUND"}
    | {"DD_TRACE_PSYCOPG_ENABLED", "DD_TRACE_REDIS_ENABLED", "LANGSMITH_DEPLOYMENT_NAME"}
    | {"LANGGRAPH_CLOUD_LICENSE_KEY", "LANGSMITH_API_KEY", "LANGSMITH_ENDPOINT"}
    | {"POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM", "PATH", "PORT", "MOUNT_PREFIX"}
)
# What the stack itself sets in a deployment's environment (stores, the checksum that rolls a
# rotated secret, the owner variable that tells its deployments from others').
RESERVED_ENV = HOST_BACKEND_ENV | {
    "DATAPLANE_SECRETS_CHECKSUM",
    "DATAPLANE_MANAGED_BY",
    "N_JOBS_PER_WORKER",
}
RESERVED_ENV_PREFIXES = ("LANGSMITH_", "LSD_")


def image_problem(image: str) -> str | None:
    if len(image) > 255 or not _IMAGE.fullmatch(image):
        return "is not an image reference (registry/path:tag or @sha256:digest, path in lower case)"
    last = image.rsplit("/", 1)[-1]
    if ":" not in last and "@" not in image:
        return "has no tag or digest: pin one (e.g. :1.4.2), so a change is a new revision"
    if "@" not in image and last.rsplit(":", 1)[-1] == "latest":
        return (
            "uses the mutable tag 'latest': a re-push is never a new revision and two clusters "
            "can run different code; pin a version or a digest"
        )
    return None


def env_name_problem(
    name: str,
    reserved: frozenset[str] = RESERVED_ENV,
    prefixes: tuple[str, ...] = RESERVED_ENV_PREFIXES,
) -> str | None:
    """Why `name` cannot be an environment variable the user sets, or None. The host backend
    refuses its own variables at `up`, after the workspace and keys exist: found here first."""
    if not _ENV_NAME.fullmatch(name):
        return "is not an environment variable name (letters, digits and '_')"
    if name in HOST_BACKEND_ENV:
        return "is set by LangSmith itself (its host backend refuses it from a deployment)"
    if name in reserved:
        return "is set by the stack (stores, keys, endpoints)"
    for prefix in prefixes:
        if name.startswith(prefix):
            return f"is reserved: LangSmith sets the {prefix}* variables"
    return None


@rule("deployment")
def deployments_can_be_created(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A deployment's image has a tag or digest (never `:latest`), its namespace is the listener's
    (required with several), its variables are valid and not reserved, `customUrl` is a plain
    https URL, `minScale <= maxScale`, limits at or above requests, and `env`, `secretEnv`,
    `resources`, `customUrl`, `imagePullSecrets` come only with `image`.

    Image syntax, namespace of the listener, env names, secrets by reference, scale order.
    """
    for lname, listener in ctx.topology.listeners.items():
        for dname, deployment in listener.deployments.items():
            path = ("listeners", lname, "deployments", dname)
            if deployment.image is not None and (problem := image_problem(deployment.image)):
                yield ctx.error((*path, "image"), f"image '{deployment.image}' {problem}")
            if deployment.namespace is not None:
                if deployment.namespace not in listener.namespaces:
                    yield ctx.error(
                        (*path, "namespace"),
                        f"namespace '{deployment.namespace}' is not one of listener '{lname}''s "
                        f"namespaces ({', '.join(listener.namespaces)})",
                    )
            elif len(listener.namespaces) > 1:
                yield ctx.error(
                    path,
                    f"deployment '{dname}' needs 'namespace': listener '{lname}' watches "
                    f"{', '.join(listener.namespaces)}, and the Secret with the deployment's "
                    "store URIs lives in its namespace only",
                    at="key",
                )
            for field in ("env", "secretEnv"):
                values = deployment.env if field == "env" else deployment.secret_env
                for name in values:
                    if problem := env_name_problem(name):
                        yield ctx.error(
                            (*path, field, name), f"variable '{name}' {problem}", at="key"
                        )
            for name in sorted(set(deployment.env) & set(deployment.secret_env)):
                yield ctx.error(
                    (*path, "secretEnv", name),
                    f"variable '{name}' is in both 'env' and 'secretEnv'",
                    at="key",
                )
            yield from _scale_and_url(ctx, path, deployment)
            if deployment.image is None:
                unused = [
                    key
                    for key, value in (
                        ("env", deployment.env),
                        ("secretEnv", deployment.secret_env),
                        ("resources", deployment.resources),
                        ("customUrl", deployment.custom_url),
                        ("imagePullSecrets", deployment.image_pull_secrets),
                    )
                    if value
                ]
                if unused:
                    yield ctx.error(
                        (*path, unused[0]),
                        f"deployment '{dname}' has no 'image', so {', '.join(unused)} would be "
                        "ignored: only deployments the stack creates from an image take them",
                        at="key",
                    )
            for index, secret in enumerate(deployment.image_pull_secrets):
                if problem := secret_name_problem(secret):
                    yield ctx.error((*path, "imagePullSecrets", index), f"'{secret}' {problem}")


@rule("deployment-name")
def deployment_names_are_unique_per_workspace(ctx: RuleContext) -> Iterator[Diagnostic]:
    """A deployment name is used once per workspace, across all listeners.

    LangSmith names deployments per workspace (each makes a tracing project).
    """
    seen: dict[tuple[str, str], str] = {}
    for lname, listener in sorted(ctx.topology.listeners.items()):
        for dname in sorted(listener.deployments):
            first = seen.setdefault((listener.workspace, dname), lname)
            if first != lname:
                yield ctx.error(
                    ("listeners", lname, "deployments", dname),
                    f"deployment '{dname}' is also declared by listener '{first}' of workspace "
                    f"'{listener.workspace}': LangSmith names deployments per workspace, so give "
                    f"this one another name (e.g. '{dname}-{listener.cluster}')",
                    at="key",
                )


def _scale_and_url(ctx: RuleContext, path: tuple, deployment) -> Iterator[Diagnostic]:
    resources = deployment.resources
    if resources is not None:
        low, high = resources.min_scale, resources.max_scale
        if low is not None and high is not None and low > high:
            yield ctx.error(
                (*path, "resources"), f"minScale {low} is greater than maxScale {high}", at="key"
            )
        for request_key, request, limit_key, limit in (
            ("cpu", resources.cpu, "cpuLimit", resources.cpu_limit),
            ("memoryMb", resources.memory_mb, "memoryLimitMb", resources.memory_limit_mb),
        ):
            if request is not None and limit is not None and limit < request:
                yield ctx.error(
                    (*path, "resources", limit_key),
                    f"{limit_key} {limit} is below the request {request_key} {request}: the "
                    "operator's pod would be refused by the API server",
                )
    if deployment.custom_url is not None:
        from langsmith_dataplane.topology.urls import https_url_problem

        if problem := https_url_problem(deployment.custom_url):
            yield ctx.error((*path, "customUrl"), f"customUrl {problem}")


@rule("redis-db")
def redis_dbs_distinct(ctx: RuleContext) -> Iterator[Diagnostic]:
    """`redisDb` in 1-15 and distinct within a listener (0 is the listener's own).

    Deployments sharing a Redis need distinct DB numbers, 1-15 (0 is the listener's own).
    """
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


RULES = (deployments_can_be_created, deployment_names_are_unique_per_workspace, redis_dbs_distinct)
