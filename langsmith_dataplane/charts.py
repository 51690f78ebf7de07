"""Where each chart the stack installs comes from: its pinned repository, or a local copy.

One setting serves air-gapped sites: `langsmith-dataplane:chartsDir` (default: the
`LANGSMITH_CHARTS_DIR` environment variable) names a directory of unpacked charts laid out as
`<chart>-<version>/` or `addons/<chart>-<version>/` (what `helm pull --untar` gives, and the
layout of `../shared/charts`).
With it, every chart (the listener and Agent Server charts, Traefik, Envoy Gateway, KEDA and
metrics-server) is installed from that directory and nothing is pulled from the internet.

A local chart keeps its `Chart.yaml` version as the release's `version`, so a preview of a stack
installed from local copies does not show the version as changing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from components.cluster_addons import AddonCharts
from langsmith_dataplane import settings
from langsmith_dataplane.versions import (
    AGENT_SERVER_CHART,
    GATEWAY_CHART,
    INGRESS_CHART,
    KEDA_CHART,
    LISTENER_CHART,
    METRICS_SERVER_CHART,
    ChartRef,
)

CHARTS_DIR_ENV = "LANGSMITH_CHARTS_DIR"


class ChartSourceError(Exception):
    """A configured local chart is missing or unreadable (one line, names the setting)."""


@dataclass(frozen=True)
class ChartSources:
    listener: ChartRef = LISTENER_CHART
    agent_server: ChartRef = AGENT_SERVER_CHART
    addons: AddonCharts = field(default_factory=AddonCharts)


def candidates(ref: ChartRef, charts_dir: Path) -> list[Path]:
    """Where a copy of `ref` may live in a charts directory, in the order they are tried."""
    name = f"{ref.name}-{ref.version}"
    return [charts_dir / name, charts_dir / "addons" / name]


def chart_version(path: Path) -> str:
    """The `version` of an unpacked chart (its Chart.yaml)."""
    try:
        meta = yaml.safe_load((path / "Chart.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ChartSourceError(f"cannot read {path / 'Chart.yaml'}: {exc}") from None
    version = meta.get("version") if isinstance(meta, dict) else None
    if not isinstance(version, str) or not version:
        raise ChartSourceError(f"{path / 'Chart.yaml'} has no version")
    return version


def local_chart(path: str | Path) -> ChartRef:
    """A chart directory given by path (`chartPath`, `agentServerChartPath`)."""
    chart = Path(path).expanduser().resolve()
    if not (chart / "Chart.yaml").is_file():
        raise ChartSourceError(f"{path} is not an unpacked chart (no Chart.yaml)")
    return ChartRef(chart=str(chart), version=chart_version(chart))


def from_charts_dir(ref: ChartRef, charts_dir: Path, setting: str) -> ChartRef:
    """The copy of the pinned chart `ref` in `charts_dir`; when there is none, a reference that
    fails where a release uses it (a stack without Agent Servers needs no `langgraph-cloud`)."""
    try:
        return _from_charts_dir(ref, charts_dir, setting)
    except ChartSourceError as exc:
        return ChartRef(chart=ref.chart, version=ref.version, repo=ref.repo, unavailable=str(exc))


def _from_charts_dir(ref: ChartRef, charts_dir: Path, setting: str) -> ChartRef:
    for candidate in candidates(ref, charts_dir):
        if (candidate / "Chart.yaml").is_file():
            local = local_chart(candidate)
            if local.version.removeprefix("v") != ref.version.removeprefix("v"):
                raise ChartSourceError(
                    f"{candidate} holds {ref.name} {local.version}, the stack pins {ref.version}"
                )
            return local
    tried = " or ".join(str(c) for c in candidates(ref, charts_dir))
    raise ChartSourceError(
        f"{setting} is {charts_dir}, which has no {ref.name} {ref.version} (looked for {tried}); "
        f"unpack it there with: helm pull {ref.chart}"
        + (f" --repo {ref.repo}" if ref.repo else "")
        + f" --version {ref.version} --untar --untardir <dir>, then rename it {ref.name}-"
        f"{ref.version}"
    )


def chart_sources(
    charts_dir: str | None,
    *,
    listener_path: str | None = None,
    agent_server_path: str | None = None,
    setting: str = settings.setting(settings.CHARTS_DIR),
) -> ChartSources:
    """Every chart of the stack: from `charts_dir` when given, the two LangChain charts from
    their own paths when given (those win), else the pinned repositories."""
    if charts_dir:
        base = Path(charts_dir).expanduser().resolve()
        if not base.is_dir():
            raise ChartSourceError(f"{setting} is {charts_dir}, which is not a directory")

        def pick(ref: ChartRef) -> ChartRef:
            return from_charts_dir(ref, base, setting)

        sources = ChartSources(
            listener=pick(LISTENER_CHART),
            agent_server=pick(AGENT_SERVER_CHART),
            addons=AddonCharts(
                keda=pick(KEDA_CHART),
                metrics_server=pick(METRICS_SERVER_CHART),
                ingress=pick(INGRESS_CHART),
                gateway=pick(GATEWAY_CHART),
            ),
        )
    else:
        sources = ChartSources()
    return ChartSources(
        listener=local_chart(listener_path) if listener_path else sources.listener,
        agent_server=local_chart(agent_server_path) if agent_server_path else sources.agent_server,
        addons=sources.addons,
    )
