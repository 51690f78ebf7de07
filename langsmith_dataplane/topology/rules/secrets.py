"""Secrets: keys never in the file, and every secret field a config reference."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from langsmith_dataplane.diagnostics import SECRET_PATTERN, Diagnostic
from langsmith_dataplane.topology.rules.registry import CONFIG_KEY_PATTERN, RuleContext, rule
from langsmith_dataplane.topology.source_map import LoadedDocument, Path

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


_CREDENTIAL = re.compile(
    r"(?<![A-Za-z0-9])("
    r"sk-[A-Za-z0-9_-]{16,}"  # OpenAI (sk-, sk-proj-), Anthropic (sk-ant-)
    r"|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"  # a JWT
    r"|gh[pousr]_[A-Za-z0-9]{30,}"  # GitHub
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|(AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key id
    r")"
)


MAX_NAME = 256


HIGH_ENTROPY_LENGTH = 32


HIGH_ENTROPY_BITS = 4.0


REFERENCE_EXAMPLE = "'openai.apiKey' (letters, digits, '.', '_', '-', one optional 'namespace:')"


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


# Keys that are only hex digits (32: many API keys and MD5-shaped tokens; 40: GitHub's classic
# tokens, SHA-1-shaped ones) or a UUID, which stay under the entropy threshold: never a name.
_HEX_KEY = re.compile(
    r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def looks_like_credential(value: str) -> bool:
    """A LangSmith key, a known token shape, or a long random-looking string without the dots
    config names use."""
    if SECRET_PATTERN.search(value) or _CREDENTIAL.search(value):
        return True
    token = re.fullmatch(r"[A-Za-z0-9+/=_-]+", value) is not None
    mixed = re.search(r"[0-9]", value) is not None and re.search(r"[A-Za-z]", value) is not None
    return (
        token
        and mixed
        and len(value) >= HIGH_ENTROPY_LENGTH
        and _entropy(value) >= HIGH_ENTROPY_BITS
    )


def reference_problem(value: str) -> str | None:
    """Why `value` is not a reference to a secret config value, never quoting it. A bare hex
    key or a UUID is a credential here (where a name belongs), though not in a plain `env`."""
    if looks_like_credential(value) or _HEX_KEY.fullmatch(value):
        return (
            "looks like a credential itself, not the NAME of a Pulumi secret config value: "
            "remove it from the file (and rotate it), store it with `pulumi config set --secret "
            "NAME` and write NAME here"
        )
    if len(value) > MAX_NAME or not CONFIG_KEY_PATTERN.fullmatch(value):
        return (
            f"must be the NAME of a Pulumi secret config value (at most {MAX_NAME} characters), "
            f"like {REFERENCE_EXAMPLE}"
        )
    return None


def secret_references(ctx: RuleContext) -> Iterator[tuple[Path, str, str]]:
    """(path, field, value) of every field that takes a reference."""
    t = ctx.topology
    if t.control_plane.admin_key is not None:
        yield ("controlPlane", "adminKey"), "adminKey", t.control_plane.admin_key
    for name, workspace in t.workspaces.items():
        if workspace.api_key is not None:
            yield ("workspaces", name, "apiKey"), "apiKey", workspace.api_key
    for name, server in t.agent_servers.items():
        yield ("agentServers", name, "licenseKey"), "licenseKey", server.license_key
        for env, key in server.secret_env.items():
            yield ("agentServers", name, "secretEnv", env), f"secretEnv.{env}", key
    for lname, listener in t.listeners.items():
        for dname, deployment in listener.deployments.items():
            for env, key in deployment.secret_env.items():
                path = ("listeners", lname, "deployments", dname, "secretEnv", env)
                yield path, f"secretEnv.{env}", key
    for name, cloud in t.cloud_deployments.items():
        for env, key in cloud.secret_env.items():
            yield ("cloudDeployments", name, "secretEnv", env), f"secretEnv.{env}", key


def plain_env(ctx: RuleContext) -> Iterator[tuple[Path, str, str]]:
    t = ctx.topology
    for name, server in t.agent_servers.items():
        for env, value in server.env.items():
            yield ("agentServers", name, "env", env), env, value
    for lname, listener in t.listeners.items():
        for dname, deployment in listener.deployments.items():
            for env, value in deployment.env.items():
                yield ("listeners", lname, "deployments", dname, "env", env), env, value
    for name, cloud in t.cloud_deployments.items():
        for env, value in cloud.env.items():
            yield ("cloudDeployments", name, "env", env), env, value


@rule("secret-ref")
def secrets_are_references(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Every field that takes a secret (`apiKey`, `licenseKey`, `secretEnv` values) takes the NAME
    of a Pulumi secret config value: a config key name that does not look like a credential
    (LangSmith keys, `sk-` keys, JWTs, GitHub/Slack/AWS tokens, long high-entropy strings). The
    value is never repeated in a message. A plain `env` value that looks like a credential is a
    warning.

    Every field that takes a secret takes the NAME of a Pulumi secret config value.
    """
    for path, field, value in secret_references(ctx):
        if SECRET_PATTERN.search(value):
            continue  # reported by secret-value, at the key's own position
        if problem := reference_problem(value):
            yield ctx.error(path, f"{field} {problem}")
    for path, env, value in plain_env(ctx):
        if looks_like_credential(value) and not SECRET_PATTERN.search(value):
            yield ctx.warning(
                path,
                f"env {env} looks like a credential: plain env values are stored in the "
                "deployment's configuration and shown in plans; move it to 'secretEnv' (the "
                "NAME of a Pulumi secret config value)",
            )


PROJECT = "langsmith-dataplane"  # Pulumi.yaml's `name`: a bare config key lives in it


def _config_key(name: str) -> str:
    """`langsmith-dataplane:x` and `x` are one config value of this project."""
    return name.removeprefix(f"{PROJECT}:")


@rule("admin-key-reuse")
def admin_key_stays_with_people(ctx: RuleContext) -> Iterator[Diagnostic]:
    """The organisation admin's key (`controlPlane.adminKey`) is named by no other field: no
    workspace `apiKey`, `licenseKey` or `secretEnv` value reads the same config value.

    The one key that creates and deletes workspaces and keys never reaches a workload.
    """
    admin = ctx.topology.control_plane.admin_key
    if admin is None:
        return
    for path, field, value in secret_references(ctx):
        if path == ("controlPlane", "adminKey"):
            continue
        if _config_key(value) == _config_key(admin):
            yield ctx.error(
                path,
                f"{field} names '{value}', the organisation admin's key (controlPlane.adminKey): "
                "that key creates and deletes workspaces and keys and must never reach a "
                "workload; name a key of the workload's own (or omit apiKey: the stacks make one)",
            )


RULES = (secrets_are_references, admin_key_stays_with_people)
