"""Rules of the agent-servers section: references, namespaces, exposure, hostnames, pool sizes."""

from __future__ import annotations

import pytest

from tests.helpers import REPO, edit, errors_of, line_of
from tests.sim import NETPOL, simulated_text

STANDALONE = REPO / "examples" / "standalone-agent-servers.yaml"
MIXED = REPO / "examples" / "mixed-models.yaml"

TEXT = STANDALONE.read_text()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("namespace: support-bot", "namespace: kube-system", "is reserved"),
        ("image: registry.example.eu/support-bot:2.0.1", "image: Bad Image", "is not an image"),
        (
            "licenseKey: langgraph.licenseKey",
            "licenseKey: 'not a name!'",
            "licenseKey must be the NAME",
        ),
        ("    env: {LOG_LEVEL: info}", "    env: {POSTGRES_URI: x}", "is set by LangSmith itself"),
        ("    env: {LOG_LEVEL: info}", "    env: {LOG_JSON: x}", "is set by LangSmith itself"),
        ("    cluster: agents-prod", "    cluster: agents-prd", "did you mean 'agents-prod'"),
        ("hostname: support-bot.agents.example.eu", "hostname: 'bad host'", "is not a DNS name"),
    ],
)
def test_agent_server_rules(old, new, message):
    text = edit(TEXT, old, new)
    errors = errors_of(text)
    assert any(message in e.message for e in errors), errors


def test_air_gapped_servers_get_no_beacon_egress_and_overrides_replace_the_default():

    def beacon(text: str):
        sim = simulated_text(text, "agents-prod")
        return [
            r.inputs["spec"]
            for r in sim.by_type(NETPOL)
            if r.inputs["metadata"]["name"] == "langsmith-allow-license-check"
        ]

    region = "  region: eu                     # traces go to https://eu.api.smith.langchain.com\n"
    assert beacon(edit(TEXT, region, region + "  airGapped: true\n")) == []
    [custom] = beacon(edit(TEXT, region, region + "  beaconCidrs: [192.0.2.80/32]\n"))
    assert custom["egress"][0]["to"] == [{"ipBlock": {"cidr": "192.0.2.80/32"}}]


def test_a_listener_namespace_is_not_an_agent_servers():
    text = edit(MIXED.read_text(), "namespace: search-agent", "namespace: legacy-agents")
    [error] = errors_of(text)
    assert error.rule == "agent-server-namespace"
    assert "watched by listener 'platform-legacy'" in error.message


SERVER = (
    "    hostname: support-bot.agents.example.eu        # its own listener on the stack's Gateway\n"
)


@pytest.mark.parametrize(
    ("old", "new", "rule", "message"),
    [
        (
            "    tls: {secretName: support-bot-tls}",
            "    tls: {}",
            "agent-server-exposure",
            "TLS needs 'secretName'",
        ),
        (SERVER, "", "agent-server-exposure", "TLS needs 'hostname'"),
        (
            '    resources: {cpu: "1", memory: 2Gi}',
            '    resources: {cpu: "1", memory: 2GB}',
            "agent-server-resources",
            "is not a Kubernetes quantity",
        ),
        (
            '    resources: {cpu: "1", memory: 2Gi}',
            '    resources: {cpu: "4", memory: 2Gi, cpuLimit: "2"}',
            "agent-server-resources",
            "cpuLimit '2' is below the request cpu '4'",
        ),
        (
            "image: registry.example.eu/support-bot:2.0.1",
            "image: registry.example.eu/support-bot:latest",
            "agent-server",
            "mutable tag 'latest'",
        ),
        (
            "image: registry.example.eu/support-bot:2.0.1",
            "image: registry.example.eu/support-bot@sha256:" + "a" * 64,
            "agent-server",
            "the langgraph-cloud chart takes a tag",
        ),
        (
            "    env: {LOG_LEVEL: info}",
            "    env: {LANGSMITH_WORKSPACE_ID: x}",
            "agent-server",
            "is set by the stack",
        ),
        (
            "    env: {LOG_LEVEL: info}",
            "    imagePullSecrets: [Not_A_Name]",
            "agent-server",
            "is not a Kubernetes Secret name",
        ),
    ],
)
def test_serving_rules(old, new, rule, message):
    errors = errors_of(edit(TEXT, old, new))
    assert [e.rule for e in errors] == [rule], errors
    assert message in errors[0].message
    assert "\n" not in errors[0].message


def test_two_servers_or_a_server_and_a_cluster_never_share_a_hostname():
    text = MIXED.read_text()
    taken = edit(text, "hostname: search.agents.example.com", "hostname: agents.example.com")
    [error] = errors_of(taken)
    assert error.rule == "agent-server-exposure"
    assert "is already the hostname of cluster 'shared'" in error.message
    assert error.line == line_of(taken, "hostname: agents.example.com", 2)


def test_a_named_gateway_holds_the_certificate_itself():
    text = edit(
        MIXED.read_text(),
        "    tls: {}                      # your Gateway",
        "    tls: {secretName: x}  #",
    )
    [error] = errors_of(text)
    assert "drop 'secretName'" in error.message


def test_the_pool_must_fit_the_in_cluster_postgres():
    text = edit(
        MIXED.read_text(),
        "    hostname: search.agents.example.com\n",
        "    hostname: search.agents.example.com\n    replicas: 20\n"
        "    postgres: {inCluster: {maxConnections: 60}}\n",
    )
    [error] = errors_of(text)
    assert error.rule == "agent-server-resources"
    assert "raise it to 110 or more" in error.message


def test_a_server_under_a_tls_cluster_is_served_over_tls_unless_told_otherwise():
    from tests.helpers import REPO, edit, errors_of, line_of, valid

    mixed = (REPO / "examples/mixed-models.yaml").read_text()
    tls_line = "    tls: {}                      # your Gateway 'agents' terminates TLS for this hostname too\n"
    plain = edit(mixed, tls_line, "")
    [error] = [e for e in errors_of(plain) if e.rule == "agent-server-exposure"]
    assert "would be plain HTTP" in error.message
    assert "X-Api-Key" in error.message
    assert error.line == line_of(plain, "hostname: search.agents.example.com")
    valid(edit(mixed, tls_line, "    plainHttp: true\n"))
    both = edit(mixed, tls_line, tls_line + "    plainHttp: true\n")
    assert any("not both" in e.message for e in errors_of(both))
