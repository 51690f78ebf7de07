"""Hardening, round 2: outputs that cannot be forged by any topology string, secrets that are
always references and never echoed, egress that one value cannot void, and values refused at
`validate` rather than half-way through `pulumi up`."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from langsmith_dataplane.diagnostics import TopologyError
from langsmith_dataplane.review.diagram import mermaid
from langsmith_dataplane.review.plan import plan_topology
from langsmith_dataplane.review.plan_format import plan_markdown, plan_text
from langsmith_dataplane.topology import parse_topology
from tests.helpers import REFERENCE_TEXT, edit, errors_of, valid

STANDALONE = """\
version: 1
controlPlane: {region: us}
workspaces:
  ws: {id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01, apiKey: ws.apiKey}
clusters:
  c:
    existing: {context: CONTEXT}
    ingress: gateway
agentServers:
  bot:
    cluster: c
    namespace: bots
    workspace: ws
    image: r.example.com/bot:1.0.0
    licenseKey: LICENSE
    secretEnv: {OPENAI_API_KEY: SECRET_ENV}
    env: {LOG_LEVEL: PLAIN}
stacks:
  s: {clusters: [c]}
"""


def server_text(**values: str) -> str:
    defaults = {
        "CONTEXT": "ctx",
        "LICENSE": "langgraph.licenseKey",
        "SECRET_ENV": "openai.key",
        "PLAIN": "info",
    }
    text = STANDALONE
    for key, value in {**defaults, **values}.items():
        quoted = yaml.safe_dump(value, default_style='"', width=1 << 30).removesuffix("\n...\n")
        text = text.replace(key, quoted.strip())
    return text


# -- outputs cannot be forged ------------------------------------------------------------------

HOSTILE = [
    "ctx\n```\n<img src=x onerror=alert(1)>\n## Approved",
    "\x1b]0;owned\x07\x1b[2J",
    'a"]; click cluster_c "https://evil.example" "x',
    "\u202eevil\u2066",
    "x" * 3000,
    "`code` *bold* [link](https://evil.example) | pipe <b>tag</b> &amp;",
]


def outside_fences(markdown: str) -> str:
    """The markdown that is rendered as markdown (code fences hold plain text)."""
    return re.sub(r"^```[a-z]*\n.*?^```$", "", markdown, flags=re.S | re.M)


def outputs(context: str) -> tuple[str, str, str]:
    try:
        model = parse_topology(server_text(CONTEXT=context)).model
    except TopologyError:  # characters YAML itself refuses: nothing to print
        assume(False)
        raise
    plans = plan_topology(model)
    return (
        plan_text(model, plans, "t.yaml"),
        plan_markdown(model, plans, "t.yaml"),
        mermaid(model),
    )


@pytest.mark.parametrize("context", HOSTILE)
def test_a_hostile_context_cannot_forge_the_plan(context):
    text, markdown, diagram = outputs(context)
    for out in (text, markdown, diagram):
        assert "\x1b" not in out
        assert "\u202e" not in out
        assert "\x07" not in out
    # Text: the value stays on its own line.
    [line] = [line for line in text.splitlines() if line.startswith("cluster c ")]
    assert "context" in line
    # Markdown: exactly the fences the plan writes, no live HTML from the value.
    fences = [line for line in markdown.splitlines() if line.startswith("```")]
    assert fences == ["```mermaid", "```", "```text", "```"]
    assert not re.search(r"(?<!\\)<img", outside_fences(markdown))  # `\<img` is text
    assert "\n## Approved" not in markdown
    # Mermaid: no user quote or angle bracket survives into a label.
    for label in re.findall(r'"([^"]*)"', diagram):
        assert "<img" not in label
        assert "click" not in label or "#" in label


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(min_size=1, max_size=80))
def test_any_context_keeps_every_output_on_its_lines(context):
    text, markdown, diagram = outputs(context)
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text + markdown + diagram)
    fences = [line for line in markdown.splitlines() if line.startswith("```")]
    assert fences == ["```mermaid", "```", "```text", "```"]
    assert len(diagram.splitlines()) == len(outputs("ctx")[2].splitlines())


def test_eks_regions_are_aws_region_codes():
    text = edit(REFERENCE_TEXT, "region: us-east-1", 'region: "us-east-1\\n```"')
    [error] = errors_of(text)
    assert error.rule == "eks-version"
    assert "is not an AWS region code" in error.message


# -- secrets are references, never echoed --------------------------------------------------------

CREDENTIALS = [
    "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123456789",
    "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWx",
    "eyJhbGciOiJIUzI1NiJ9.eyJsaWNlbnNlIjoiZW50ZXJwcmlzZSJ9.c2lnbmF0dXJl",
    "ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789",
    "AKIAIOSFODNN7EXAMPLE",
    "q8Fk29dLq0ZxP7mN3vB6cT1yR4wE5uI2oA9sDf",
]


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("field", ["LICENSE", "SECRET_ENV"])
def test_a_pasted_credential_is_refused_and_never_repeated(field, credential):
    errors = errors_of(server_text(**{field: credential}))
    [error] = [e for e in errors if e.rule == "secret-ref"]
    assert "looks like a credential" in error.message
    for diagnostic in errors:
        assert credential not in diagnostic.format()
        assert credential not in diagnostic.format("github")


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_a_pasted_credential_in_a_deployments_secret_env_is_refused(credential):
    text = edit(
        REFERENCE_TEXT,
        "      support-bot: {redisDb: 1}\n",
        "      support-bot:\n        redisDb: 1\n        image: r.io/bot:1\n"
        f"        secretEnv: {{OPENAI_API_KEY: {json.dumps(credential)}}}\n",
    )
    [error] = errors_of(text)
    assert error.rule == "secret-ref"
    assert credential not in error.format()


@pytest.mark.parametrize("credential", CREDENTIALS)
def test_a_credential_in_plain_env_is_a_warning_naming_the_field(credential):
    topology = valid(server_text(PLAIN=credential))
    [warning] = [w for w in topology.warnings if w.rule == "secret-ref"]
    assert "env LOG_LEVEL looks like a credential" in warning.message
    assert "secretEnv" in warning.message
    assert credential not in warning.format()


def test_a_malformed_reference_is_not_repeated_either():
    value = "not a name!"
    [error] = [e for e in errors_of(server_text(LICENSE=value)) if e.rule == "secret-ref"]
    assert value not in error.message
    assert "NAME of a Pulumi secret config value" in error.message


def test_credentials_in_a_url_are_refused_without_echo():
    text = edit(
        REFERENCE_TEXT,
        "controlPlane:\n  region: us\n",
        "controlPlane:\n  hostBackendUrl: https://admin:hunter2@cp.example.com\n"
        "  smithBackendUrl: https://smith.example.com\n  egressCidrs: [192.0.2.10/32]\n",
    )
    [error] = errors_of(text)
    assert "must not hold credentials" in error.message
    assert "hunter2" not in error.format()


# -- egress cannot be voided by one value ---------------------------------------------------------


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0", "10.0.0.0/8", "2001:db8::/32"])
@pytest.mark.parametrize("field", ["beaconCidrs", "egressCidrs"])
def test_world_wide_service_addresses_are_refused(field, cidr):
    text = edit(REFERENCE_TEXT, "  region: us\n", f"  region: us\n  {field}: ['{cidr}']\n")
    [error] = errors_of(text)
    assert error.rule == "service-cidr"
    assert "too broad" in error.message


def test_air_gapped_with_beacon_addresses_is_a_contradiction():
    text = edit(
        REFERENCE_TEXT,
        "  region: us\n",
        "  region: us\n  airGapped: true\n  beaconCidrs: [192.0.2.1/32]\n",
    )
    [error] = errors_of(text)
    assert "no beacon egress at all" in error.message


def test_the_gateways_namespace_is_not_a_workload_namespace():
    text = server_text().replace(
        "    ingress: gateway\n",
        "    ingress: gateway\n    gateway: {name: edge, namespace: bots}\n",
    )
    [error] = errors_of(text)
    assert error.rule == "gateway-namespace"
    assert "cutting every route" in error.message


# -- values that would fail half-way through `pulumi up` ------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "      support-bot: {redisDb: 1}",
            "      support-bot: {redisDb: 1, env: {A: b}}",
            "has no 'image'",
        ),
        (
            "      support-bot: {redisDb: 1}",
            "      support-bot: {redisDb: 1, image: 'r.io/b:1', customUrl: 'https://h.example.com:99999'}",
            "port out of range",
        ),
        (
            "      support-bot: {redisDb: 1}",
            "      support-bot: {redisDb: 1, image: 'r.io/b:1', customUrl: 'https://h .example.com'}",
            "whitespace",
        ),
        (
            "      support-bot: {redisDb: 1}",
            "      support-bot: {redisDb: 1, image: 'r.io/b:1', customUrl: 'https://"
            + "a" * 2100
            + ".example.com'}",
            "longer than 2048",
        ),
        (
            "      support-bot: {redisDb: 1}",
            "      support-bot: {redisDb: 1, image: 'r.io/b:1', resources: {memoryMb: 99999999999}}",
            "must be <= 1048576",
        ),
        (
            "      support-bot: {redisDb: 1}",
            "      support-bot: {redisDb: 1, image: 'r.io/b:1', env: {PORT: '9'}}",
            "is set by LangSmith itself",
        ),
        (
            "    namespaces: [team-a]\n",
            "    namespaces: [team-a]\n    resourceQuota: {cpu: lots}\n",
            "is not a Kubernetes quantity",
        ),
        (
            "    redis: {inCluster: {}}",
            "    redis: {inCluster: {resources: {memory: 2Gi, memoryLimit: 1Gi}}}",
            "memoryLimit '1Gi' is below the request memory '2Gi'",
        ),
    ],
)
def test_values_that_would_fail_during_up_are_refused(old, new, message):
    errors = errors_of(edit(REFERENCE_TEXT, old, new))
    assert any(message in e.message for e in errors), [e.message for e in errors]


@pytest.mark.parametrize(
    "url",
    ["https://cp.example.com/?x=1", "https://cp.example.com/#f", "http://cp.example.com"],
)
def test_control_plane_urls_take_no_query_or_fragment(url):
    text = edit(
        REFERENCE_TEXT,
        "controlPlane:\n  region: us\n",
        f"controlPlane:\n  hostBackendUrl: '{url}'\n  smithBackendUrl: https://s.example.com\n"
        "  egressCidrs: [192.0.2.10/32]\n",
    )
    [error] = errors_of(text)
    assert error.rule == "control-plane"


def test_an_ipv6_control_plane_url_is_accepted():
    text = edit(
        REFERENCE_TEXT,
        "controlPlane:\n  region: us\n",
        "controlPlane:\n  hostBackendUrl: 'https://[2001:db8::10]:8443'\n"
        "  smithBackendUrl: 'https://[2001:db8::11]'\n  egressCidrs: [2001:db8::/120]\n",
    )
    valid(text)


@pytest.mark.parametrize("name", ["agents\n", "Agents", "a" * 64])
def test_names_never_pass_with_a_trailing_newline_or_wrong_form(name):
    text = edit(REFERENCE_TEXT, "    namespaces: [team-a]", f"    namespaces: [{json.dumps(name)}]")
    assert errors_of(text)


def test_the_ok_line_counts_servers_and_deployments(capsys, tmp_path):
    from langsmith_dataplane.cli import main

    path = tmp_path / "t.yaml"
    path.write_text(server_text())
    assert main(["validate", str(path)]) == 0
    assert "1 Agent Server" in capsys.readouterr().out
    assert yaml.safe_load(server_text())  # the fixture itself is valid YAML


@pytest.mark.parametrize("context", HOSTILE[:3])
def test_a_hostile_context_cannot_forge_the_diff(context):
    from langsmith_dataplane.review.diff import diff_topologies
    from langsmith_dataplane.review.diff_format import diff_markdown, diff_text

    base = parse_topology(server_text()).model
    head = parse_topology(server_text(CONTEXT=context)).model
    diff = diff_topologies(base, head)
    text = diff_text(diff)
    markdown = diff_markdown(diff, "base\n```\n<img src=x>", "head.yaml")
    for out in (text, markdown):
        assert "\x1b" not in out
        assert "\x07" not in out
    assert not re.search(r"(?<!\\)<img", outside_fences(markdown))  # `\<img` is text
    assert all(
        line in ("```diff", "```") for line in markdown.splitlines() if line.startswith("```")
    )
