"""Versions pinned in two places agree: the engine build's and the program's."""

from __future__ import annotations

import yaml

from langsmith_dataplane.versions import GATEWAY_CHART, INGRESS_CHART
from tests.artifacts import chart_dir
from tests.helpers import REPO


def build_versions() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in (REPO / "tools" / "engine" / "versions.env").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_gateway_controller_built_for_the_tests_is_the_one_the_stack_installs():
    assert build_versions()["ENVOY_GATEWAY_VERSION"] == GATEWAY_CHART.version


def test_the_proxy_built_for_the_tests_is_the_one_the_stack_installs():
    """Traefik's binary is the pinned chart's appVersion (the chart picks the image by it)."""
    chart = yaml.safe_load((chart_dir(INGRESS_CHART) / "Chart.yaml").read_text())
    assert build_versions()["TRAEFIK_VERSION"] == chart["appVersion"]
