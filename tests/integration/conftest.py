"""Fixtures: the real control plane (session-wide) and a Kubernetes client bound to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.control_plane import ControlPlane, engine_bin_dir


def running_control_plane(workdir: Path) -> Iterator[ControlPlane]:
    """etcd, kube-apiserver and kube-controller-manager for the lifetime of a fixture."""
    plane = ControlPlane(workdir, engine_bin_dir()).start()
    try:
        yield plane
    finally:
        plane.stop()


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
