"""Local charts go to the releases by what they are, never by where they sit.

A `helm.v3.Release`'s `chart` is one of its inputs: the same chart unpacked under another
directory (a laptop's `~/charts`, a CI runner's checkout) would upgrade every release of the
stack. So the program copies each local chart into the project, at
`.langsmith-charts/<dir>-<digest>/` (the digest of every file's path and bytes), and sends that
relative path: the same on every machine for the same chart, a new one exactly when a byte of
the chart changes. The engine starts the program and its providers in the project directory,
so the relative path resolves for both. Copies are made once (content-addressed; a half-made
copy is never seen: it is renamed into place) and may be deleted at any time.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from components.cluster_addons import AddonCharts
from langsmith_dataplane.charts import ChartSources
from langsmith_dataplane.versions import ChartRef

STAGING_DIR = ".langsmith-charts"
DIGEST_CHARACTERS = 16


def chart_digest(chart: Path) -> str:
    """SHA-256 over every regular file's path (relative, `/`-separated) and bytes, in order."""
    digest = hashlib.sha256()
    files = sorted(p for p in chart.rglob("*") if p.is_file())
    for path in files:
        digest.update(path.relative_to(chart).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def staged_path(chart: Path) -> str:
    """Where a copy of `chart` lives, relative to the project directory."""
    return f"{STAGING_DIR}/{chart.name}-{chart_digest(chart)[:DIGEST_CHARACTERS]}"


def _copy_once(source: Path, target: Path) -> None:
    if (target / "Chart.yaml").is_file():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        shutil.copytree(source, scratch / "chart", symlinks=False)
        try:
            os.rename(scratch / "chart", target)
        except OSError:
            if not (target / "Chart.yaml").is_file():  # not another stack's same copy
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def staged(ref: ChartRef, project: Path) -> ChartRef:
    """A local chart as its copy in `project`; repository charts and unavailable ones as given."""
    if ref.repo or ref.unavailable or not Path(ref.chart).is_absolute():
        return ref
    source = Path(ref.chart)
    relative = staged_path(source)
    _copy_once(source, project / relative)
    return replace(ref, chart=relative)


def staged_sources(sources: ChartSources, project: Path) -> ChartSources:
    """Every local chart of the stack staged in `project`."""
    addons = sources.addons
    return ChartSources(
        listener=staged(sources.listener, project),
        agent_server=staged(sources.agent_server, project),
        addons=AddonCharts(
            keda=staged(addons.keda, project),
            metrics_server=staged(addons.metrics_server, project),
            ingress=staged(addons.ingress, project),
            gateway=staged(addons.gateway, project),
        ),
    )
