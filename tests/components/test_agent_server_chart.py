"""The REAL `langgraph-cloud` chart, templated with the values the program gives it, for every
example and a matrix of variants (each exposure with and without hostname and TLS, cpu 4, a
52-character name, `secretEnv`, autoscaling). What is asserted is what the chart renders, not
what we expect our values to be: the objects Kubernetes would receive."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import pytest

from langsmith_dataplane.quantity import parse_quantity
from tests.helpers import REPO
from tests.server_variants import (
    LABEL_VALUE,
    LONG_NAME,
    VARIANTS,
    template,
    variant_sim,
)
from tests.sim import agent_server_releases, simulated

DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
DNS1123 = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


@cache
def rendered(variant: str) -> list[dict[str, Any]]:
    [release] = agent_server_releases(variant_sim(variant))
    return template(release)


def of_kind(objects, kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] == kind]


def pod_specs(objects) -> list[dict[str, Any]]:
    return [o["spec"]["template"]["spec"] for o in of_kind(objects, "Deployment")]


def env_of(objects, suffix: str) -> dict[str, dict]:
    [deployment] = [
        o for o in of_kind(objects, "Deployment") if o["metadata"]["name"].endswith(suffix)
    ]
    return {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}


ALL = sorted(VARIANTS)


# -- what every variant renders --------------------------------------------------------------


@pytest.mark.parametrize("variant", ALL)
def test_no_service_is_a_load_balancer(variant):
    services = of_kind(rendered(variant), "Service")
    assert services, "the chart renders the API server's Service"
    assert {s["spec"].get("type", "ClusterIP") for s in services} == {"ClusterIP"}


@pytest.mark.parametrize("variant", ALL)
def test_every_container_requests_at_most_its_limits(variant):
    for spec in pod_specs(rendered(variant)):
        for container in spec["containers"]:
            resources = container["resources"]
            for resource in ("cpu", "memory"):
                request = parse_quantity(str(resources["requests"][resource]))
                limit = parse_quantity(str(resources["limits"][resource]))
                assert request <= limit, (variant, container["name"], resource)


@pytest.mark.parametrize("variant", ALL)
def test_every_name_and_label_is_valid_for_what_it_becomes(variant):
    for obj in rendered(variant):
        name = obj["metadata"]["name"]
        assert len(name) <= 63, (obj["kind"], name)
        assert DNS1123.fullmatch(name), (obj["kind"], name)
        if obj["kind"] == "Service":
            assert DNS1035.fullmatch(name), name
        labels = dict(obj["metadata"].get("labels") or {})
        if obj["kind"] == "Deployment":
            labels |= obj["spec"]["template"]["metadata"]["labels"]
            labels |= obj["spec"]["selector"]["matchLabels"]
        for key, value in labels.items():
            assert len(str(value)) <= 63, (key, value)
            assert LABEL_VALUE.fullmatch(str(value)), (key, value)


@pytest.mark.parametrize("variant", ALL)
def test_pods_are_hardened_and_drain_their_runs(variant):
    objects = rendered(variant)
    assert not of_kind(objects, "ServiceAccount")  # the chart's would mount an API token
    sim = variant_sim(variant)
    [account] = sim.by_type("kubernetes:core/v1:ServiceAccount")
    assert account.inputs["automountServiceAccountToken"] is False
    for spec in pod_specs(objects):
        assert spec["serviceAccountName"] == account.inputs["metadata"]["name"]
        assert spec["terminationGracePeriodSeconds"] >= 180  # langgraph-api's drain period
        container = spec["containers"][0]
        assert container["securityContext"]["allowPrivilegeEscalation"] is False
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert container["imagePullPolicy"] == "IfNotPresent"


@pytest.mark.parametrize("variant", ALL)
def test_traces_name_their_workspace_and_project(variant):
    env = env_of(rendered(variant), "-api-server")
    assert env["LANGSMITH_WORKSPACE_ID"]["value"] == "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01"
    assert env["LANGSMITH_PROJECT"]["value"] == VARIANTS[variant][2]
    assert env["LANGSMITH_TRACING"]["value"] == "true"
    assert env["LANGSMITH_ENDPOINT"]["value"] == "https://api.smith.langchain.com"


@pytest.mark.parametrize("variant", ALL)
def test_langsmith_auth_is_on_unless_the_app_brings_its_own(variant):
    env = env_of(rendered(variant), "-api-server")
    if variant == "custom-auth":
        assert "LANGGRAPH_AUTH_TYPE" not in env
        return
    assert env["LANGGRAPH_AUTH_TYPE"]["value"] == "langsmith"
    assert env["LANGSMITH_AUTH_ENDPOINT"]["value"] == "https://api.smith.langchain.com"
    assert env["LANGSMITH_TENANT_ID"]["value"] == "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01"


@pytest.mark.parametrize("variant", ALL)
def test_rotating_a_secret_rolls_the_pods(variant):
    for deployment in of_kind(rendered(variant), "Deployment"):
        annotations = deployment["spec"]["template"]["metadata"].get("annotations") or {}
        assert re.fullmatch(r"[0-9a-f]{16}", annotations["langsmith.com/secrets-checksum"])


# -- exposure ----------------------------------------------------------------------------------


def gateway_listeners(variant: str) -> dict[str, dict]:
    [gateway] = [r for r in variant_sim(variant).resources if r.inputs.get("kind") == "Gateway"]
    return {listener["name"]: listener for listener in gateway.inputs["spec"]["listeners"]}


def hostnames_intersect(listener: str | None, route: str) -> bool:
    """Gateway API's rule (HTTPRoute `hostnames`): exact, or a listener wildcard `*.x` matching
    one or more labels before `x`. Cross-checked by the real controller in the integration
    suite."""
    if listener is None:
        return True
    if listener.startswith("*."):
        return route.endswith(listener[1:]) and route != listener[2:]
    return listener == route


@pytest.mark.parametrize("variant", ["gateway-http", "gateway-https", "long-name"])
def test_the_stacks_gateway_has_a_listener_for_each_server_hostname(variant):
    [route] = of_kind(rendered(variant), "HTTPRoute")
    [parent] = route["spec"]["parentRefs"]
    assert (parent["name"], parent["namespace"]) == ("langgraph", "langgraph-gateway")
    listener = gateway_listeners(variant)[parent["sectionName"]]
    for hostname in route["spec"]["hostnames"]:
        assert hostnames_intersect(listener.get("hostname"), hostname)
    # It accepts routes from the server's namespace only.
    selector = listener["allowedRoutes"]["namespaces"]
    assert selector == {
        "from": "Selector",
        "selector": {"matchLabels": {"kubernetes.io/metadata.name": "bots"}},
    }


def test_https_on_the_stacks_gateway_uses_the_servers_certificate_with_a_grant():
    listener = gateway_listeners("gateway-https")["server-bot"]
    assert listener["protocol"] == "HTTPS"
    assert listener["port"] == 443
    assert listener["tls"]["certificateRefs"] == [{"name": "bot-tls", "namespace": "bots"}]
    [grant] = [
        r
        for r in variant_sim("gateway-https").resources
        if r.inputs.get("kind") == "ReferenceGrant"
    ]
    assert grant.inputs["metadata"]["namespace"] == "bots"
    assert grant.inputs["spec"] == {
        "from": [
            {
                "group": "gateway.networking.k8s.io",
                "kind": "Gateway",
                "namespace": "langgraph-gateway",
            }
        ],
        "to": [{"group": "", "kind": "Secret", "name": "bot-tls"}],
    }
    # The listeners' own HTTPS listener keeps the cluster's certificate.
    assert gateway_listeners("gateway-https")["https"]["hostname"] == "agents.example.com"


def test_a_named_gateway_gets_the_route_without_a_section():
    [route] = of_kind(rendered("own-gateway-https"), "HTTPRoute")
    assert route["spec"]["parentRefs"] == [{"name": "edge", "namespace": "edge-system"}]
    assert route["spec"]["hostnames"] == ["bot.example.com"]


def test_plain_ingress_with_tls_names_the_servers_own_certificate_in_its_namespace():
    [ingress] = of_kind(rendered("ingress-https"), "Ingress")
    assert ingress["metadata"]["namespace"] == "bots"
    assert ingress["spec"]["tls"] == [{"hosts": ["bot.example.com"], "secretName": "bot-tls"}]
    assert ingress["spec"]["ingressClassName"] == "traefik"
    [rule] = ingress["spec"]["rules"]
    assert rule["host"] == "bot.example.com"
    assert rule["http"]["paths"][0]["backend"]["service"]["name"] == "bot-api-server"


@pytest.mark.parametrize("variant", ["gateway-no-hostname", "ingress-no-hostname"])
def test_a_server_without_hostname_has_no_route_at_all(variant):
    kinds = {o["kind"] for o in rendered(variant)}
    assert not kinds & {"Ingress", "HTTPRoute", "VirtualService"}


def test_istio_gets_a_virtual_service_on_the_named_gateway():
    [service] = of_kind(rendered("istio"), "VirtualService")
    assert service["spec"]["hosts"] == ["bot.example.com"]
    assert service["spec"]["gateways"] == ["istio-system/edge"]


# -- resources, scaling, scheduling ------------------------------------------------------------


def test_cpu_four_gets_explicit_limits():
    for spec in pod_specs(rendered("cpu-4")):
        resources = spec["containers"][0]["resources"]
        assert resources["requests"] == {"cpu": "4", "memory": "8Gi"}
        assert resources["limits"] == {"cpu": "8000m", "memory": "16384Mi"}


def test_several_replicas_get_a_disruption_budget_and_spread():
    objects = rendered("long-name")
    budgets = {b["metadata"]["name"]: b for b in of_kind(objects, "PodDisruptionBudget")}
    assert set(budgets) == {f"{LONG_NAME}-api-server", f"{LONG_NAME}-queue"}
    for spec in pod_specs(objects):
        terms = spec["affinity"]["podAntiAffinity"][
            "preferredDuringSchedulingIgnoredDuringExecution"
        ]
        assert terms[0]["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"


def test_autoscaling_pull_secrets_and_scheduling():
    objects = rendered("secret-env-autoscaled")
    [hpa] = of_kind(objects, "HorizontalPodAutoscaler")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (1, 6)
    spec = pod_specs(objects)[0]
    assert spec["imagePullSecrets"] == [{"name": "registry-creds"}]
    assert spec["nodeSelector"] == {"pool": "agents"}
    assert spec["tolerations"] == [
        {"key": "dedicated", "operator": "Equal", "value": "agents", "effect": "NoSchedule"}
    ]
    env = env_of(objects, "-api-server")
    assert env["OPENAI_API_KEY"]["valueFrom"]["secretKeyRef"] == {
        "name": "bot-env",
        "key": "OPENAI_API_KEY",
    }
    # The pool fits the in-cluster Postgres (300 connections) for the most pods it may run.
    assert int(env["LANGGRAPH_POSTGRES_POOL_MAX_SIZE"]["value"]) * 6 <= 300 - 10


def test_metrics_server_comes_only_with_autoscaling_and_keda_only_with_listeners():
    def charts(variant: str) -> set[str]:
        return {
            str(r.inputs["chart"])
            for r in variant_sim(variant).by_type("kubernetes:helm.sh/v3:Release")
        }

    assert "keda" not in charts("gateway-http")
    assert "metrics-server" not in charts("gateway-http")
    assert "metrics-server" in charts("secret-env-autoscaled")


# -- the shipped examples ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "stack"),
    [
        (REPO / "examples" / "standalone-agent-servers.yaml", "agents-prod"),
        (REPO / "examples" / "mixed-models.yaml", "shared"),
    ],
)
def test_the_examples_render_no_load_balancer_and_valid_names(path, stack):
    [release] = agent_server_releases(simulated(path, stack))
    objects = template(release)
    assert {s["spec"].get("type", "ClusterIP") for s in of_kind(objects, "Service")} == {
        "ClusterIP"
    }
    for obj in objects:
        assert len(obj["metadata"]["name"]) <= 63
