"""Standalone Agent Servers (chart `langgraph-cloud`): what the program declares under mocks,
and what the REAL chart renders with the program's values (their rules: topology/rules)."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from langsmith_dataplane.control_plane import REGIONS
from langsmith_dataplane.review.masking import reveal
from tests.artifacts import agent_server_chart, helm
from tests.helpers import REPO, edit
from tests.sim import NETPOL, PLANTED_KEY, simulated, simulated_text

STANDALONE = REPO / "examples" / "standalone-agent-servers.yaml"
MIXED = REPO / "examples" / "mixed-models.yaml"
RELEASE = "kubernetes:helm.sh/v3:Release"


def server_release(path: Path, stack: str):
    [release] = [
        r
        for r in simulated(path, stack).by_type(RELEASE)
        if r.inputs["chart"] != "keda" and "langgraph-cloud" in str(r.inputs["chart"])
    ]
    return release


# -- what the program declares --------------------------------------------------------------


def test_standalone_stack_has_no_listener_machinery():
    sim = simulated(STANDALONE, "agents-prod")
    types = {r.type for r in sim.resources}
    assert "langsmith:index:AgentServer" in types
    assert "langsmith:index:Listener" not in types
    kinds = {
        r.inputs.get("kind") for r in sim.resources if r.type == "pulumi-python:dynamic:Resource"
    }
    assert kinds == {"helm-release-recovery"}  # no registration: only the releases' guards
    assert "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition" not in types
    charts = {r.inputs["chart"] for r in sim.by_type(RELEASE)}
    assert "langgraph-dataplane" not in charts


def test_the_release_uses_external_stores_and_a_key_secret():
    release = server_release(STANDALONE, "agents-prod")
    values = reveal(release.inputs["values"])
    assert release.inputs["namespace"] == "support-bot"
    assert values["config"]["existingSecretName"] == "support-bot-langgraph-keys"
    assert values["config"]["auth"]["enabled"] is True
    assert values["postgres"]["external"] == {
        "enabled": True,
        "existingSecretName": "support-bot-stores",
    }
    assert values["redis"]["external"] == values["postgres"]["external"]
    assert values["images"]["apiServerImage"] == {
        "repository": "registry.example.eu/support-bot",
        "tag": "2.0.1",
        "pullPolicy": "IfNotPresent",
    }
    assert values["fullnameOverride"] == "support-bot"
    assert values["apiServer"]["service"] == {"type": "ClusterIP"}
    env = {e["name"]: e for e in values["apiServer"]["deployment"]["extraEnv"]}
    assert env["LANGSMITH_ENDPOINT"]["value"] == REGIONS["eu"].smith_backend_url
    assert env["OPENAI_API_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "support-bot-env",
        "key": "OPENAI_API_KEY",
    }
    assert values["queue"]["enabled"] is True
    assert values["gateway"]["enabled"] is True
    assert values["gateway"]["hostname"] == "support-bot.agents.example.eu"
    assert values["gateway"]["sectionName"] == "server-support-bot"
    assert release.protect is True  # a protect stack


def test_keys_live_in_a_secret_never_in_values():
    sim = simulated(STANDALONE, "agents-prod")
    [keys] = [r for r in sim.by_type("kubernetes:core/v1:Secret") if r.name == "support-bot-keys"]
    assert set(reveal(keys.inputs["stringData"])) == {"langgraph_cloud_license_key", "api_key"}
    values = str(reveal(server_release(STANDALONE, "agents-prod").inputs["values"]))
    assert PLANTED_KEY not in values
    assert "placeholder" not in values


def test_egress_allows_the_langsmith_api_beacon_and_stores_only():
    sim = simulated(STANDALONE, "agents-prod")
    policies = {
        r.inputs["metadata"]["name"]: r.inputs["spec"]
        for r in sim.by_type(NETPOL)
        if r.inputs["metadata"]["namespace"] == "support-bot"
    }
    assert set(policies) == {
        "langsmith-default-deny-ingress",
        "langsmith-allow-same-namespace-ingress",
        "langsmith-allow-agent-server-ingress",
        "langsmith-default-deny-egress",
        "langsmith-allow-dns",
        "langsmith-allow-same-namespace",
        "langsmith-allow-control-plane",
        "langsmith-allow-license-check",
        "langsmith-allow-backing-stores",
        "langsmith-allow-openai",
    }
    langsmith = [
        p["ipBlock"]["cidr"] for p in policies["langsmith-allow-control-plane"]["egress"][0]["to"]
    ]
    assert langsmith == list(REGIONS["eu"].egress_cidrs)
    beacon = policies["langsmith-allow-license-check"]["egress"][0]
    assert beacon == {  # beacon.langchain.com: behind LangChain's published US addresses
        "to": [{"ipBlock": {"cidr": c}} for c in sorted(REGIONS["us"].egress_cidrs)],
        "ports": [{"protocol": "TCP", "port": 443}],
    }


def test_both_models_side_by_side():
    sim = simulated(MIXED, "shared")
    assert [r.name for r in sim.by_type("langsmith:index:Listener")] == ["platform-legacy"]
    assert [r.name for r in sim.by_type("langsmith:index:AgentServer")] == ["platform-search"]
    assert sim.outputs["agentServers"]["platform-search"]["namespace"] == "search-agent"


# -- the real langgraph-cloud chart -----------------------------------------------------------


@cache
def rendered(path: Path, stack: str) -> list[dict[str, Any]]:
    import tempfile

    release = server_release(path, stack)
    values = reveal(release.inputs["values"])
    with tempfile.TemporaryDirectory() as tmp:
        values_file = Path(tmp) / "values.yaml"
        values_file.write_text(yaml.safe_dump(values))
        command = [str(helm()), "template", release.inputs["name"], str(agent_server_chart())]
        done = subprocess.run(
            [*command, "--namespace", release.inputs["namespace"], "--values", str(values_file)],
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


def container_env(objects, suffix: str) -> dict[str, dict]:
    [deployment] = [
        o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"].endswith(suffix)
    ]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e for e in container["env"]}


@pytest.mark.parametrize(("path", "stack"), [(STANDALONE, "agents-prod"), (MIXED, "shared")])
def test_the_real_chart_renders_external_stores_and_no_store_of_its_own(path, stack):
    objects = rendered(path, stack)
    kinds = {(o["kind"], o["metadata"]["name"]) for o in objects}
    assert not [k for k in kinds if k[0] == "StatefulSet"]  # the chart's Postgres is off
    assert not [k for k in kinds if "redis" in k[1] and k[0] == "Deployment"]  # and its Redis
    assert not [o for o in objects if o["kind"] == "Secret"]  # keys come from our Secret
    release = server_release(path, stack)
    for suffix in ("-api-server", "-queue") if "standalone" in path.name else ("-api-server",):
        env = container_env(objects, suffix)
        assert env["POSTGRES_URI"]["valueFrom"]["secretKeyRef"]["name"].endswith("-stores")
        assert env["REDIS_URI"]["valueFrom"]["secretKeyRef"]["name"].endswith("-stores")
        assert env["LANGSMITH_API_KEY"]["valueFrom"]["secretKeyRef"]["key"] == "api_key"
        assert env["LANGGRAPH_CLOUD_LICENSE_KEY"]["valueFrom"]["secretKeyRef"]["key"] == (
            "langgraph_cloud_license_key"
        )
        endpoint = reveal(release.inputs["values"])["apiServer"]["deployment"]["extraEnv"][0]
        assert env["LANGSMITH_ENDPOINT"]["value"] == endpoint["value"]


def test_the_real_chart_routes_through_the_clusters_gateway():
    objects = rendered(STANDALONE, "agents-prod")
    [route] = [o for o in objects if o["kind"] == "HTTPRoute"]
    assert route["spec"]["hostnames"] == ["support-bot.agents.example.eu"]
    assert route["spec"]["parentRefs"][0]["name"] == "langgraph"
    assert route["spec"]["parentRefs"][0]["namespace"] == "langgraph-gateway"


def test_the_url_output_says_what_is_served():
    sim = simulated(MIXED, "shared")
    assert sim.outputs["agentServers"]["platform-search"]["url"] == (
        "https://search.agents.example.com"
    )
    plain = simulated_text(
        edit(
            MIXED.read_text(),
            "    tls: {}                      # your Gateway 'agents' terminates TLS for this hostname too\n",
            "    plainHttp: true\n",  # said explicitly: the cluster itself serves HTTPS
        ),
        "shared",
    )
    assert plain.outputs["agentServers"]["platform-search"]["url"] == (
        "http://search.agents.example.com"
    )


def test_server_policies_are_labelled_as_the_servers():
    sim = simulated(STANDALONE, "agents-prod")
    labels = [
        r.inputs["metadata"]["labels"]
        for r in sim.by_type(NETPOL)
        if r.inputs["metadata"]["namespace"] == "support-bot"
    ]
    assert labels
    assert all(label.get("langsmith.com/agent-server") == "support-bot" for label in labels)
    assert not [label for label in labels if "langsmith.com/listener" in label]


def test_ingress_admits_the_gateway_proxies_to_the_server_and_nothing_else():
    sim = simulated(STANDALONE, "agents-prod")
    policies = {
        r.inputs["metadata"]["name"]: r.inputs["spec"]
        for r in sim.by_type(NETPOL)
        if r.inputs["metadata"]["namespace"] == "support-bot"
        and "Ingress" in r.inputs["spec"]["policyTypes"]
    }
    assert policies["langsmith-default-deny-ingress"] == {
        "podSelector": {},
        "policyTypes": ["Ingress"],
    }
    [rule] = policies["langsmith-allow-agent-server-ingress"]["ingress"]
    assert rule == {
        "from": [
            {
                "namespaceSelector": {
                    "matchLabels": {"kubernetes.io/metadata.name": "envoy-gateway-system"}
                }
            }
        ],
        "ports": [{"protocol": "TCP", "port": 8000}],
    }
