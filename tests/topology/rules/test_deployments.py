"""Rules of the deployments section: images, variables, names, scale, Redis DBs."""

from __future__ import annotations

import pytest

from langsmith_dataplane.topology.rules.deployments import HOST_BACKEND_ENV
from tests.helpers import REFERENCE_TEXT, edit, errors_of, only_error, ref, valid

# -- redis-db ---


@pytest.mark.parametrize("db", [0, 16])
def test_redis_db_out_of_range(db):
    text = ref(("research-agent: {redisDb: 2}", f"research-agent: {{redisDb: {db}}}"))
    error = only_error(text)
    assert error.rule == "redis-db"
    assert f"redisDb {db} is out of range" in error.message


def test_redis_db_duplicate():
    error = only_error(ref(("research-agent: {redisDb: 2}", "research-agent: {redisDb: 1}")))
    assert error.rule == "redis-db"
    assert "already used by deployment 'support-bot'" in error.message


def test_redis_db_reuse_across_listeners_is_fine():
    valid(
        ref(
            (
                "    namespaces: [team-a]\n",
                "    namespaces: [team-a]\n    deployments: {x: {redisDb: 1}}\n",
            )
        )
    )


@pytest.mark.parametrize(
    ("deployment", "message"),
    [
        ("image: Registry/Bad:1", "is not an image reference"),
        ("image: registry.example.com/bot", "has no tag or digest"),
        ("image: r.io/bot:1\n        namespace: elsewhere", "is not one of listener 'a-prod''s"),
        ("image: r.io/bot:1\n        env: {POSTGRES_URI_CUSTOM: x}", "is set by LangSmith itself"),
        ("image: r.io/bot:1\n        env: {LANGSMITH_API_KEY: x}", "is set by LangSmith itself"),
        ("image: r.io/bot:1\n        env: {LANGSMITH_OTHER: x}", "LANGSMITH_* variables"),
        ("image: r.io/bot:1\n        env: {LSD_ANYTHING: x}", "LSD_* variables"),
        ("image: r.io/bot:1\n        env: {DATAPLANE_MANAGED_BY: x}", "is set by the stack"),
        ("image: r.io/bot:1\n        env: {1BAD: x}", "is not an environment variable name"),
        (
            "image: r.io/bot:1\n        env: {A: x}\n        secretEnv: {A: a.key}",
            "is in both 'env' and 'secretEnv'",
        ),
        ("image: r.io/bot:1\n        resources: {minScale: 4, maxScale: 2}", "minScale 4 is"),
        ("image: r.io/bot:1\n        customUrl: http://x.example.com", "must start with https://"),
    ],
)
def test_deployment_rules(deployment, message):
    text = edit(
        REFERENCE_TEXT,
        "      support-bot: {redisDb: 1}\n",
        f"      support-bot:\n        redisDb: 1\n        {deployment}\n",
    )
    errors = errors_of(text)
    assert [e.rule for e in errors] == ["deployment"], errors
    assert message in errors[0].message


def test_a_deployment_name_is_used_once_per_workspace():
    text = edit(
        REFERENCE_TEXT,
        "    namespaces: [workspace-a]\n",
        "    namespaces: [workspace-a]\n    deployments: {support-bot: {redisDb: 3}}\n",
    )
    [error] = errors_of(text)
    assert error.rule == "deployment-name"
    assert "also declared by listener 'a-prod' of workspace 'A'" in error.message


@pytest.mark.parametrize(
    ("deployment", "message"),
    [
        ("image: r.io/bot:latest", "mutable tag 'latest'"),
        ("image: r.io/bot:1\n        imagePullSecrets: [Bad_Name]", "is not a Kubernetes Secret"),
        ("image: r.io/bot:1\n        env: {DATAPLANE_SECRETS_CHECKSUM: x}", "is set by the stack"),
        ('image: "r.io/bot:1\\n"', "is not an image reference"),
        ("image: r.io/bot:1\u00e9", "is not an image reference"),
    ],
)
def test_more_deployment_rules(deployment, message):
    text = edit(
        REFERENCE_TEXT,
        "      support-bot: {redisDb: 1}\n",
        f"      support-bot:\n        redisDb: 1\n        {deployment}\n",
    )
    errors = errors_of(text)
    assert any(message in e.message for e in errors), errors


def test_scale_to_zero_is_refused():
    text = edit(
        REFERENCE_TEXT,
        "      support-bot: {redisDb: 1}\n",
        "      support-bot: {redisDb: 1, image: 'r.io/bot:1', resources: {minScale: 0}}\n",
    )
    [error] = errors_of(text)
    assert "minScale must be >= 1" in error.message


@pytest.mark.parametrize("variable", sorted(HOST_BACKEND_ENV))
@pytest.mark.parametrize("field", ["env", "secretEnv"])
def test_every_variable_the_host_backend_refuses_is_refused_at_validate(variable, field):
    """langgraph-cli's RESERVED_ENV_VARS: the host backend refuses them at `up`, after the
    workspace and keys exist; validate names the line first, for hybrid deployments, Cloud
    deployments and Agent Servers alike."""
    value = "a.key" if field == "secretEnv" else "x"
    text = edit(
        REFERENCE_TEXT,
        "      support-bot: {redisDb: 1}\n",
        f"      support-bot:\n        redisDb: 1\n        image: r.io/bot:1\n"
        f"        {field}: {{{variable}: {value}}}\n",
    )
    [error] = [e for e in errors_of(text) if variable in e.message]
    assert "is set by LangSmith itself" in error.message
    assert (error.line, error.col) == (
        text.splitlines().index(f"        {field}: {{{variable}: {value}}}") + 1,
        len(f"        {field}: {{") + 1,
    )


@pytest.mark.parametrize(
    ("resources", "field"),
    [
        ("{cpu: 2, cpuLimit: 1}", "cpuLimit"),
        ("{memoryMb: 2048, memoryLimitMb: 1024}", "memoryLimitMb"),
    ],
)
def test_a_limit_below_its_request_is_refused_at_its_line(resources, field):
    text = edit(
        REFERENCE_TEXT,
        "      support-bot: {redisDb: 1}\n",
        f"      support-bot:\n        redisDb: 1\n        image: r.io/bot:1\n"
        f"        resources: {resources}\n",
    )
    [error] = errors_of(text)
    assert error.rule == "deployment"
    assert error.message.startswith(f"{field} ")
    assert "is below the request" in error.message


def test_limits_at_or_above_requests_are_fine():
    valid(
        edit(
            REFERENCE_TEXT,
            "      support-bot: {redisDb: 1}\n",
            "      support-bot:\n        redisDb: 1\n        image: r.io/bot:1\n"
            "        resources: {cpu: 1, cpuLimit: 1, memoryMb: 1024, memoryLimitMb: 2048}\n",
        )
    )
