"""Contract: every values path the project sets exists in the chart's default values.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from langsmith_dataplane.review.masking import reveal
from langsmith_dataplane.versions import LISTENER_CHART
from tests.artifacts import agent_server_chart, listener_chart
from tests.sim import agent_server_releases, all_stacks, listener_releases, simulated


def chart_file(name: str, chart: Path | None = None) -> Any:
    return yaml.safe_load(((chart or listener_chart()) / name).read_text())


def leaf_paths(values: dict[str, Any], prefix: tuple[str, ...] = ()):
    for key, value in values.items():
        if isinstance(value, dict) and value:
            yield from leaf_paths(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def check_path(path: tuple[str, ...], value: Any, chart: Path | None = None) -> None:
    node: Any = chart_file("values.yaml", chart)
    for depth, key in enumerate(path):
        assert isinstance(node, dict), (
            f"{'.'.join(path)}: {'.'.join(path[:depth])} is not a mapping"
        )
        if node == {} and depth > 0:
            return  # a free-form map in the chart (commonLabels, annotations, ...)
        assert key in node, (
            f"values path {'.'.join(path)} does not exist in the chart's values.yaml"
        )
        node = node[key]
    if node is not None and value is not None:
        assert type(value) is type(node), (
            f"{'.'.join(path)}: {type(value).__name__} vs {type(node).__name__}"
        )


@pytest.mark.parametrize(
    ("path", "stack"), all_stacks(), ids=[f"{p.stem}:{s}" for p, s in all_stacks()]
)
def test_every_values_path_exists_in_the_chart(path, stack):
    for release in listener_releases(simulated(path, stack)):
        for values_path, value in leaf_paths(reveal(release.inputs["values"])):
            check_path(values_path, value)
    for release in agent_server_releases(simulated(path, stack)):
        for values_path, value in leaf_paths(reveal(release.inputs["values"])):
            if values_path[-1] in ("extraEnv", "tls"):
                continue  # lists of free-form entries
            check_path(values_path, value, agent_server_chart())


def test_all_exposure_kinds_are_covered_by_the_contract():
    kinds = set()
    for path, stack in all_stacks():
        for release in listener_releases(simulated(path, stack)):
            values = release.inputs["values"]
            kinds |= {k for k in ("ingress", "gateway", "istioGateway") if values[k]["enabled"]}
    assert kinds == {"ingress", "gateway", "istioGateway"}


def test_the_check_catches_a_path_the_chart_lacks():
    with pytest.raises(AssertionError, match=r"config\.langsmithApiKeyz does not exist"):
        check_path(("config", "langsmithApiKeyz"), "x")
    with pytest.raises(AssertionError, match=r"operator\.createCRDs: str vs bool"):
        check_path(("operator", "createCRDs"), "true")


def test_pinned_chart_matches_the_reference_chart():
    meta = chart_file("Chart.yaml")
    assert LISTENER_CHART.chart == meta["name"]
    assert LISTENER_CHART.version == meta["version"]
