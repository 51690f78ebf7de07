"""Fixtures: the real control plane (session-wide) and a Kubernetes client bound to it."""

from __future__ import annotations

import pytest

from tests.integration.control_plane import ControlPlane, engine_bin_dir


@pytest.fixture(scope="session")
def control_plane(tmp_path_factory):
    plane = ControlPlane(tmp_path_factory.mktemp("control-plane"), engine_bin_dir()).start()
    try:
        yield plane
    finally:
        plane.stop()


@pytest.fixture(scope="session")
def api(control_plane):
    from kubernetes import client, config, dynamic

    api_client = config.new_client_from_config(config_file=str(control_plane.kubeconfig))
    return dynamic.DynamicClient(api_client), client.CoreV1Api(api_client)
