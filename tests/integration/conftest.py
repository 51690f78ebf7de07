"""Fixtures: the real control plane (session-wide) and a Kubernetes client bound to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.control_plane import ControlPlane, engine_bin_dir


def running_control_plane(workdir: Path, **options: Any) -> Iterator[ControlPlane]:
    """etcd, kube-apiserver and kube-controller-manager for the lifetime of a fixture."""
    plane = ControlPlane(workdir, engine_bin_dir(), **options).start()
    try:
        yield plane
    finally:
        plane.stop()


def serving_fake_control_plane(plane: ControlPlane, keys: dict, platform: Any = None) -> Iterator:
    """The fake LangSmith control plane over HTTPS with the cluster's certificate, for a
    module fixture (with `platform`, the fake platform API too); afterwards, every request the
    engine sent matched the OpenAPI documents."""
    from tests.artifacts import control_plane_openapi
    from tests.fake_control_plane import FakeControlPlane, RunningControlPlane

    state = FakeControlPlane(keys=keys, openapi=control_plane_openapi(), platform=platform)
    pki = plane.pki
    with RunningControlPlane(state, tls=(pki.server_cert, pki.server_key)) as running:
        yield running
    assert state.violations == []
    assert platform is None or platform.violations == []


def api_clients(plane: ControlPlane):
    """(dynamic client, CoreV1Api) bound to `plane`."""
    from kubernetes import client, config, dynamic

    api_client = config.new_client_from_config(config_file=str(plane.kubeconfig))
    return dynamic.DynamicClient(api_client), client.CoreV1Api(api_client)


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory):
    yield from running_control_plane(tmp_path_factory.mktemp("control-plane"))


@pytest.fixture(scope="session")
def api(control_plane):
    return api_clients(control_plane)


def install_gateway_api_crds(api) -> None:
    """The Gateway API CRDs the stack installs for `ingress: gateway` (the REAL Envoy Gateway
    chart ships them), applied as the chart would, then waited for until served."""
    import time

    import yaml

    from langsmith_dataplane.versions import GATEWAY_CHART
    from tests.artifacts import chart_dir

    dynamic_client, _ = api
    crds = chart_dir(GATEWAY_CHART) / "crds" / "gatewayapi-crds.yaml"
    resource = dynamic_client.resources.get(
        api_version="apiextensions.k8s.io/v1", kind="CustomResourceDefinition"
    )
    kinds = []
    for doc in yaml.safe_load_all(crds.read_text()):
        if not doc or doc.get("kind") != "CustomResourceDefinition":
            continue
        resource.server_side_apply(
            body=doc, name=doc["metadata"]["name"], field_manager="test", force_conflicts=True
        )
        storage = next(v["name"] for v in doc["spec"]["versions"] if v.get("storage"))
        kinds.append((f"{doc['spec']['group']}/{storage}", doc["spec"]["names"]["kind"]))
    deadline = time.monotonic() + 60
    for api_version, kind in kinds:
        while True:
            try:
                dynamic_client.resources.invalidate_cache()
                dynamic_client.resources.get(api_version=api_version, kind=kind)
                break
            except Exception:
                assert time.monotonic() < deadline, f"CRD {kind} not served"
                time.sleep(0.5)


@pytest.fixture(scope="session")
def gateway_api(api):
    install_gateway_api_crds(api)
    return api
