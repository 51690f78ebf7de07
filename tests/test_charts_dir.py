"""Air-gapped installs: one setting serves every chart the stack installs from local copies.

The program's resolution is tested with a charts directory laid out like `../shared/charts`
(made here, so a fresh clone needs nothing), and the real directory's layout through the same
charts setting the other chart tests use (tests/artifacts.py)."""

from __future__ import annotations

from pathlib import Path

import grpc
import pulumi
import pytest

from langsmith_dataplane.chart_staging import STAGING_DIR
from langsmith_dataplane.charts import chart_sources
from langsmith_dataplane.versions import (
    AGENT_SERVER_CHART,
    GATEWAY_CHART,
    INGRESS_CHART,
    KEDA_CHART,
    LISTENER_CHART,
    METRICS_SERVER_CHART,
    ChartRef,
)
from tests.artifacts import chart_dir
from tests.helpers import REFERENCE_TEXT, REPO
from tests.test_entrypoint import KEYS, run_entrypoint

ALL = (LISTENER_CHART, AGENT_SERVER_CHART, KEDA_CHART, METRICS_SERVER_CHART, INGRESS_CHART)
ALL += (GATEWAY_CHART,)
LANGCHAIN = {LISTENER_CHART, AGENT_SERVER_CHART}


def charts_dir(tmp_path: Path, charts=ALL) -> Path:
    """`<chart>-<version>/` for the LangChain charts, `addons/...` for the rest."""
    root = tmp_path / "charts"
    for ref in charts:
        where = root if ref in LANGCHAIN else root / "addons"
        chart = where / f"{ref.name}-{ref.version}"
        chart.mkdir(parents=True)
        (chart / "Chart.yaml").write_text(
            f"apiVersion: v2\nname: {ref.name}\nversion: {ref.version}\n"
        )
    return root


def releases(
    topology: str, stack: str, config: dict[str, str], project: Path | None = None
) -> dict[str, dict]:
    config = {"langsmith-dataplane:topology": str(REPO / topology), **config, **KEYS}
    monitor = run_entrypoint(stack, config, list(KEYS), project)
    return {
        r.name: r.inputs
        for r in monitor.recorded.values()
        if r.type == "kubernetes:helm.sh/v3:Release"
    }


@pytest.mark.parametrize(
    ("topology", "stack"),
    [
        ("topology.yaml", "single"),  # Envoy Gateway, KEDA, metrics-server, the listener chart
        ("topology.yaml", "prod-alpha"),  # Traefik
    ],
)
def test_every_chart_of_the_stack_comes_from_the_charts_dir(tmp_path, topology, stack):
    root, project = charts_dir(tmp_path), tmp_path / "project"
    project.mkdir()
    installed = releases(topology, stack, {"langsmith-dataplane:chartsDir": str(root)}, project)
    assert installed
    for name, inputs in installed.items():
        chart = Path(inputs["chart"])  # the copy in the project, by name and digest
        assert chart.parts[0] == STAGING_DIR, name
        assert not chart.is_absolute(), name
        copied = project / chart / "Chart.yaml"
        source = chart_source(root, chart.name.rsplit("-", 1)[0])
        assert copied.read_bytes() == (source / "Chart.yaml").read_bytes(), name
        assert inputs["version"] == source.name.rsplit("-", 1)[1], name  # Chart.yaml's version
        assert "repositoryOpts" not in inputs, name


def chart_source(root: Path, directory: str) -> Path:
    [found] = [p for p in (root / directory, root / "addons" / directory) if p.is_dir()]
    return found


def test_the_same_charts_anywhere_are_the_same_inputs_and_a_changed_byte_is_not(tmp_path):
    """A laptop's ~/charts and a CI runner's checkout: no release upgrades for a path."""
    here, there = charts_dir(tmp_path / "laptop"), charts_dir(tmp_path / "runner")
    a = releases("topology.yaml", "single", {"langsmith-dataplane:chartsDir": str(here)})
    b = releases("topology.yaml", "single", {"langsmith-dataplane:chartsDir": str(there)})
    assert a == b
    keda = there / "addons" / f"keda-{KEDA_CHART.version}"
    (keda / "values.yaml").write_text("replicaCount: 2\n")
    c = releases("topology.yaml", "single", {"langsmith-dataplane:chartsDir": str(there)})
    changed = sorted(name for name in a if a[name]["chart"] != c[name]["chart"])
    assert changed == [name for name in sorted(a) if "keda" in name]
    assert all(a[name]["version"] == c[name]["version"] for name in a)


def test_the_environment_variable_is_the_default(tmp_path, monkeypatch):
    root = charts_dir(tmp_path)
    monkeypatch.setenv("LANGSMITH_CHARTS_DIR", str(root))
    installed = releases("topology.yaml", "single", {})
    assert all(Path(i["chart"]).parts[0] == STAGING_DIR for i in installed.values())


def test_without_the_setting_charts_come_from_their_repositories(monkeypatch):
    monkeypatch.delenv("LANGSMITH_CHARTS_DIR", raising=False)
    installed = releases("topology.yaml", "prod-alpha", {})
    assert installed["alpha-traefik"]["repositoryOpts"] == {"repo": INGRESS_CHART.repo}
    assert installed["alpha-traefik"]["version"] == INGRESS_CHART.version


def test_a_missing_chart_stops_the_program_naming_it_and_the_setting(tmp_path):
    root = charts_dir(tmp_path, [c for c in ALL if c != KEDA_CHART])
    with pytest.raises(pulumi.RunError) as caught:
        releases("topology.yaml", "single", {"langsmith-dataplane:chartsDir": str(root)})
    message = str(caught.value)
    assert "langsmith-dataplane:chartsDir" in message
    assert f"keda {KEDA_CHART.version}" in message
    assert str(root / "addons" / f"keda-{KEDA_CHART.version}") in message
    assert "\n" not in message


def test_a_chart_the_stack_does_not_install_need_not_be_there(tmp_path):
    root = charts_dir(tmp_path, [c for c in ALL if c != AGENT_SERVER_CHART])
    installed = releases("topology.yaml", "single", {"langsmith-dataplane:chartsDir": str(root)})
    assert installed


def test_a_copy_of_another_version_is_refused(tmp_path):
    root = charts_dir(tmp_path)
    chart_yaml = root / "addons" / f"keda-{KEDA_CHART.version}" / "Chart.yaml"
    chart_yaml.write_text("apiVersion: v2\nname: keda\nversion: 9.9.9\n")
    with pytest.raises(pulumi.RunError, match=r"holds keda 9\.9\.9, the stack pins"):
        releases("topology.yaml", "single", {"langsmith-dataplane:chartsDir": str(root)})


def test_a_charts_dir_that_is_not_a_directory(tmp_path):
    with pytest.raises(pulumi.RunError, match="is not a directory"):
        releases(
            "topology.yaml", "single", {"langsmith-dataplane:chartsDir": str(tmp_path / "nope")}
        )


def test_the_real_charts_directory_serves_all_six():
    """The layout of the real charts (../shared/charts in CI, found through the charts
    setting) is the layout the program reads."""
    roots = {
        chart_dir(ref).parent.parent if ref not in LANGCHAIN else chart_dir(ref).parent
        for ref in ALL
    }
    assert len(roots) == 1
    sources = chart_sources(str(roots.pop()))
    refs: list[ChartRef] = [sources.listener, sources.agent_server, *vars(sources.addons).values()]
    for ref in refs:
        assert not ref.unavailable, ref.unavailable
        assert (Path(ref.chart) / "Chart.yaml").is_file()


def test_an_unreachable_chart_repository_is_one_line_naming_the_chart_and_the_setting(
    monkeypatch,
):
    """The operator's CRD is rendered from the listener chart at preview: a repository that
    cannot be reached gives one line, not the SDK's traceback."""
    from langsmith_dataplane.simulation import DataplaneMocks, simulate
    from tests.helpers import valid

    class ProviderError(grpc.RpcError):
        """What the engine answers when the provider's invoke fails."""

        def code(self):
            return grpc.StatusCode.UNKNOWN

        def details(self):
            return (
                'looks like "https://langchain-ai.github.io/helm/" is not a valid chart '
                "repository or cannot be reached: dial tcp: lookup langchain-ai.github.io: "
                "no such host"
            )

    def unreachable(self, args):
        if args.token == "kubernetes:helm:template":
            raise ProviderError()
        return {}

    monkeypatch.setattr(DataplaneMocks, "call", unreachable)
    with pytest.raises(pulumi.RunError) as caught:
        simulate(valid(REFERENCE_TEXT).model, "single")
    message = str(caught.value)
    assert message.startswith(
        f"cannot render the listener chart langgraph-dataplane {LISTENER_CHART.version} "
        f"from {LISTENER_CHART.repo}: looks like"
    )
    assert "no such host" in message
    assert "langsmith-dataplane:chartsDir" in message
    assert "\n" not in message
