"""The REAL add-on charts (Traefik, Envoy Gateway, KEDA, metrics-server), templated with the
values the program gives them: what the rest of the program relies on (the IngressClass name,
the proxies' namespaces and ports, the GatewayClass controller name) is what the charts render.

The charts come through the same setting as the other chart tests (tests/artifacts.py); the
integration suite installs them on a real API server (tests/integration/test_air_gapped.py)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from langsmith_dataplane.review.masking import reveal
from langsmith_dataplane.versions import (
    ALL_CHARTS,
    GATEWAY_CONTROLLER_NAME,
    GATEWAY_PROXY_NAMESPACE,
    INGRESS_CLASS,
    INGRESS_NAMESPACE,
    INGRESS_PROXY_PORTS,
    ChartRef,
)
from tests.artifacts import chart_dir, helm_template
from tests.helpers import REFERENCE
from tests.sim import simulated

ADDONS = {ref.chart: ref for ref in ALL_CHARTS}


@cache
def addon_objects(stack: str, release_suffix: str) -> tuple[dict, list[dict[str, Any]]]:
    """(the release's inputs, the real chart's objects) for one add-on release of `stack`."""
    [release] = [
        r
        for r in simulated(REFERENCE, stack).by_type("kubernetes:helm.sh/v3:Release")
        if r.name.endswith(release_suffix)
    ]
    inputs = reveal(release.inputs)
    ref: ChartRef = ADDONS[inputs["chart"]]
    assert inputs["version"] == ref.version
    objects = helm_template(
        chart_dir(ref), inputs["name"], inputs["namespace"], inputs.get("values") or {}
    )
    return inputs, objects


def of_kind(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o.get("kind") == kind]


def test_traefik_serves_the_ingress_class_and_ports_the_program_uses():
    inputs, objects = addon_objects("prod-alpha", "-traefik")
    assert inputs["namespace"] == INGRESS_NAMESPACE
    [ingress_class] = of_kind(objects, "IngressClass")
    assert ingress_class["metadata"]["name"] == INGRESS_CLASS
    assert ingress_class["spec"]["controller"] == "traefik.io/ingress-controller"
    annotations = ingress_class["metadata"].get("annotations") or {}
    assert annotations.get("ingressclass.kubernetes.io/is-default-class") != "true"
    [deployment] = of_kind(objects, "Deployment")
    assert deployment["metadata"]["namespace"] == INGRESS_NAMESPACE
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    # The egress and ingress policies admit the proxy pods on exactly these ports.
    assert (ports["web"], ports["websecure"]) == INGRESS_PROXY_PORTS
    args = container["args"]
    assert "--providers.kubernetesingress" in args
    # Traefik serves Ingresses whose IngressClass names its controller; a class filter in its
    # arguments, if the chart ever set one, must be ours.
    filters = [a for a in args if a.startswith("--providers.kubernetesingress.ingressClass=")]
    assert filters in ([], [f"--providers.kubernetesingress.ingressClass={INGRESS_CLASS}"])
    assert not [a for a in args if a.startswith("--api.insecure")]  # no open dashboard


def test_envoy_gateway_controls_the_gateway_class_the_program_declares():
    inputs, objects = addon_objects("dev", "-envoy-gateway")
    assert inputs["namespace"] == GATEWAY_PROXY_NAMESPACE
    config = next(
        o for o in of_kind(objects, "ConfigMap") if o["metadata"]["name"] == "envoy-gateway-config"
    )
    assert f"controllerName: {GATEWAY_CONTROLLER_NAME}" in config["data"]["envoy-gateway.yaml"]
    [deployment] = of_kind(objects, "Deployment")
    assert deployment["metadata"]["namespace"] == GATEWAY_PROXY_NAMESPACE


@pytest.mark.parametrize(
    ("suffix", "namespace", "deployment"),
    [("-keda", "keda", "keda-operator"), ("-metrics-server", "kube-system", "metrics-server")],
)
def test_keda_and_metrics_server_render_where_the_program_expects(suffix, namespace, deployment):
    inputs, objects = addon_objects("dev", suffix)
    assert inputs["namespace"] == namespace
    names = {d["metadata"]["name"] for d in of_kind(objects, "Deployment")}
    assert deployment in names
    assert all(d["metadata"]["namespace"] == namespace for d in of_kind(objects, "Deployment"))
