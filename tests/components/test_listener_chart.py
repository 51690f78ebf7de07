"""The REAL `langgraph-dataplane` chart, templated with the values the program gives each release.

Every listener release of `topology.yaml` and of every example goes through `helm template` with
the pinned chart (found through `LANGSMITH_CHARTS_DIR`, see tests/artifacts.py); the assertions
are on what the chart renders, not on our values dict.
"""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.operator_crd import OPERATOR_CRD, OperatorCrdError, chart_crd
from langsmith_dataplane.review.masking import reveal
from langsmith_dataplane.stack_slice import slice_for_stack
from tests.artifacts import helm, listener_chart
from tests.sim import NETPOL, PLANTED_KEY, all_stacks, listener_releases, simulated, topology

STACKS = all_stacks()
IDS = [f"{p.stem}:{s}" for p, s in STACKS]


def template(
    release: str, namespace: str, values: dict[str, Any], tmp: Path
) -> list[dict[str, Any]]:
    values_file = tmp / f"{release}-values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    command = [str(helm()), "template", release, str(listener_chart()), "--namespace", namespace]
    done = subprocess.run(
        [*command, "--values", str(values_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert PLANTED_KEY not in done.stdout
    return [d for d in yaml.safe_load_all(done.stdout) if d]


@cache
def rendered(path: Path, stack: str) -> dict[str, tuple[Any, list[dict[str, Any]]]]:
    """release name -> (its plan, the chart's objects)."""
    import tempfile

    sim = simulated(path, stack)
    plans = {p.release_name: p for p in slice_for_stack(topology(path), stack).listeners}
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for release in listener_releases(sim):
            name = release.inputs["name"]
            values = reveal(release.inputs["values"])
            out[name] = (
                plans[name],
                template(name, release.inputs["namespace"], values, Path(tmp)),
            )
    return out


def of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o.get("kind") == kind]


def operator_roles(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in of_kind(objects, "Role") if r["metadata"]["name"].endswith("-operator")]


def env_of(objects: list[dict[str, Any]], suffix: str) -> dict[str, str]:
    [deployment] = [
        o for o in of_kind(objects, "Deployment") if o["metadata"]["name"].endswith(suffix)
    ]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    return {e["name"]: e.get("value") for e in container.get("env", [])}


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_every_release_renders_with_the_real_chart(path, stack):
    releases = rendered(path, stack)
    assert sorted(releases) == sorted(
        p.release_name for p in slice_for_stack(topology(path), stack).listeners
    )
    for name, (_, objects) in releases.items():
        assert of_kind(objects, "Deployment"), name
        # The cluster owns the CRD: no release renders one.
        assert not of_kind(objects, "CustomResourceDefinition"), name
        # The chart's own Redis is off: the listener uses the stack's.
        assert not of_kind(objects, "StatefulSet"), name


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_plain_ingress_routes_in_the_agent_servers_namespace(path, stack):
    model = topology(path)
    for name, (plan, objects) in rendered(path, stack).items():
        cluster = model.clusters[plan.cluster]
        ingresses = of_kind(objects, "Ingress")
        operator = env_of(objects, "-operator")
        if cluster.ingress != "ingress":
            assert ingresses == [], name
            continue
        [ingress] = ingresses
        [agents_namespace] = plan.spec.namespaces
        # An Ingress routes only to Services of its own namespace: the Agent Servers' one.
        assert ingress["metadata"]["namespace"] == agents_namespace
        assert operator["SHARED_INGRESS_NAMESPACE"] == agents_namespace
        assert ingress["spec"]["ingressClassName"] == (cluster.ingress_class_name or "traefik")
        if cluster.tls is not None:
            assert ingress["spec"]["tls"] == [
                {"hosts": [cluster.hostname], "secretName": cluster.tls.secret_name}
            ]
        # The operator may manage Ingresses there (its RBAC covers only watched namespaces).
        roles = [r for r in of_kind(objects, "Role") if r["metadata"]["name"].endswith("-operator")]
        assert agents_namespace in {r["metadata"]["namespace"] for r in roles}
        ingress_rules = [
            rule
            for role in roles
            if role["metadata"]["namespace"] == agents_namespace
            for rule in role["rules"]
            if "ingresses" in rule.get("resources", [])
        ]
        assert ingress_rules, name


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_operator_and_listener_env_match_the_exposure(path, stack):
    model = topology(path)
    for name, (plan, objects) in rendered(path, stack).items():
        cluster = model.clusters[plan.cluster]
        operator = env_of(objects, "-operator")
        listener = env_of(objects, "-listener")
        assert operator["WATCH_NAMESPACE"] == ",".join(plan.watch_namespaces)
        assert operator["TLS_ENABLED"] == ("true" if cluster.tls is not None else "false")
        assert (operator["ROOT_DOMAIN"] or "") == (cluster.hostname or "")
        health = listener["ENABLE_LGP_DEPLOYMENT_HEALTH_CHECK"]
        assert health == ("true" if cluster.hostname else "false"), name
        if cluster.ingress == "istio":
            assert operator["ISTIO_GATEWAY_NAME"] == cluster.gateway.name
            assert operator["ISTIO_GATEWAY_NAMESPACE"] == cluster.gateway.namespace
        if cluster.ingress == "gateway":
            expected = (
                (cluster.gateway.name, cluster.gateway.namespace)
                if cluster.gateway
                else ("langgraph", "langgraph-gateway")
            )
            assert (operator["GATEWAY_NAME"], operator["GATEWAY_NAMESPACE"]) == expected
        # Every watched namespace gets the operator's Role.
        role_namespaces = {r["metadata"]["namespace"] for r in operator_roles(objects)}
        assert set(plan.watch_namespaces) <= role_namespaces


def test_the_chart_renders_the_operator_crd_once(tmp_path):
    """What `operator_crd` takes from the chart: exactly one CRD, the one it declares."""
    objects = template("crds", "default", {"operator": {"createCRDs": True}}, tmp_path)
    crd = chart_crd(objects)
    assert crd["metadata"]["name"] == OPERATOR_CRD
    assert crd["spec"]["group"] == "apps.langchain.ai"
    # The chart's default is createCRDs: true, so every release must turn it off explicitly.
    assert of_kind(template("default", "default", {}, tmp_path), "CustomResourceDefinition")
    off = {"operator": {"createCRDs": False}}
    with pytest.raises(OperatorCrdError, match=r"rendered the CRDs none"):
        chart_crd(template("none", "default", off, tmp_path))


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_a_rotated_key_or_redis_password_restarts_the_listener(path, stack):
    """The checksum of the API key and Redis URL lands in the listener's pod template, as the
    REAL chart renders it: rotating either changes the template, so the pods roll."""
    for name, (_, objects) in rendered(path, stack).items():
        [listener] = [
            o for o in of_kind(objects, "Deployment") if o["metadata"]["name"].endswith("-listener")
        ]
        annotations = listener["spec"]["template"]["metadata"]["annotations"]
        assert len(annotations["langsmith.com/secrets-checksum"]) == 16, name


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_the_operators_metrics_path_is_admitted_by_no_ingress_policy(path, stack):
    """With plain Ingress the REAL chart routes `/metrics` on the public hostname to the
    operator's port 8081. The stack's ingress policies admit the proxies to the Agent Servers'
    port 8000 only, so that path never reaches the operator."""
    sim = simulated(path, stack)
    for name, (_, objects) in rendered(path, stack).items():
        for ingress in of_kind(objects, "Ingress"):
            paths = ingress["spec"]["rules"][0]["http"]["paths"]
            metrics = [p for p in paths if p["path"].endswith("/metrics")]
            assert metrics, "the chart still publishes /metrics: revisit this test"
            port = metrics[0]["backend"]["service"]["port"]["number"]
            namespace = ingress["metadata"]["namespace"]
            admitted = [
                rule
                for r in sim.by_type(NETPOL)
                if r.inputs["metadata"]["namespace"] == namespace
                and "Ingress" in r.inputs["spec"]["policyTypes"]
                for rule in r.inputs["spec"].get("ingress") or []
                if rule.get("from") != [{"podSelector": {}}]  # the namespace's own pods
            ]
            assert admitted, name  # the proxies reach the Agent Servers ...
            for rule in admitted:  # ... and nothing else
                assert [p["port"] for p in rule["ports"]] != [port], name
                assert all(p["port"] != port for p in rule["ports"]), name
