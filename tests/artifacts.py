"""External artefacts some tests need (the real LangChain charts, Helm), each found one way.

* Charts: `LANGSMITH_CHARTS_DIR`, a directory holding `<chart>-<version>/` (CI points it at
  `../shared/charts`). Unset, `../shared/charts` beside the checkout is used when it exists;
  otherwise the pinned version is pulled from the chart repository into the cache once
  (`~/.cache/langsmith-dataplane/charts`), which needs internet.
* Helm: `$LANGSMITH_ENGINE_BIN/helm` (what `tools/engine/build.sh` builds), else `helm` on the
  PATH, else `tools/engine/build.sh helm` builds it (needs Go and the Go module proxy).

* The control plane's OpenAPI document: `LANGSMITH_OPENAPI` (a path), else
  `../shared/reference/control-plane-openapi.json` beside the checkout, else the published
  `https://api.host.langchain.com/openapi.json`, cached once (needs internet).
* The platform API's OpenAPI document (workspaces, service keys, roles):
  `LANGSMITH_PLATFORM_OPENAPI` (a path), else `../shared/reference/platform-openapi.json`
  beside the checkout, else the published `https://api.smith.langchain.com/openapi.json`,
  cached once (needs internet).

A test that cannot find an artefact fails with one line naming the setting; it never skips.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
from functools import cache
from pathlib import Path

import pytest
import yaml

from langsmith_dataplane.charts import candidates
from langsmith_dataplane.versions import (
    AGENT_SERVER_CHART,
    ALL_CHARTS,
    GATEWAY_CHART,
    LISTENER_CHART,
    ChartRef,
)

REPO = Path(__file__).resolve().parent.parent
CHARTS_SETTING = "LANGSMITH_CHARTS_DIR"
OPENAPI_SETTING = "LANGSMITH_OPENAPI"
OPENAPI_URL = "https://api.host.langchain.com/openapi.json"
PLATFORM_OPENAPI_SETTING = "LANGSMITH_PLATFORM_OPENAPI"
PLATFORM_OPENAPI_URL = "https://api.smith.langchain.com/openapi.json"
ENGINE_SETTING = "LANGSMITH_ENGINE_BIN"
CACHE = Path(
    os.environ.get("LANGSMITH_ENGINE_CACHE")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "langsmith-dataplane"
)


def _charts_dirs() -> list[Path]:
    configured = os.environ.get(CHARTS_SETTING)
    if configured:
        return [Path(configured)]
    return [REPO.parent / "shared" / "charts", CACHE / "charts"]


def _pull(ref: ChartRef, into: Path) -> Path:
    """Fetch the pinned chart from its repository (a machine with internet)."""
    into.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=into) as scratch:
        source = ["--repo", str(ref.repo)] if ref.repo else []  # OCI references need none
        pull = [str(helm()), "pull", ref.chart, *source, "--version", ref.version]
        subprocess.run(
            [*pull, "--untar", "--untardir", scratch],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        target = into / f"{ref.name}-{ref.version}"
        os.replace(Path(scratch) / ref.name, target)
    return target


def charts_root() -> Path:
    """The directory the charts setting names, holding every chart a stack may install (each
    found through it first: `<chart>-<version>/`, or `addons/...`)."""
    parents = {chart_dir(ref).parent for ref in ALL_CHARTS}
    roots = {p.parent if p.name == "addons" else p for p in parents}
    assert len(roots) == 1, roots
    return roots.pop()


@cache
def chart_dir(ref: ChartRef = LISTENER_CHART) -> Path:
    """The unpacked, unmodified chart `ref` pins."""
    name = f"{ref.name}-{ref.version}"
    for base in _charts_dirs():
        for candidate in candidates(ref, base):  # where the program's chartsDir looks too
            if (candidate / "Chart.yaml").is_file():
                return candidate
    if os.environ.get(CHARTS_SETTING):
        pytest.fail(f"{CHARTS_SETTING}={os.environ[CHARTS_SETTING]} has no {name}/Chart.yaml")
    try:
        return _pull(ref, CACHE / "charts")
    except (subprocess.SubprocessError, OSError) as error:
        lines = str(getattr(error, "stderr", "") or error).strip().splitlines()
        reason = lines[-1] if lines else type(error).__name__
    # Outside the `except`: one line, no chained traceback.
    pytest.fail(
        f"chart {name} not found: set {CHARTS_SETTING} to a directory holding {name}/ "
        f"(CI: ../shared/charts), or give this machine access to {ref.repo} "
        f"(helm pull failed: {reason})",
        pytrace=False,
    )


@cache
def gateway_api_crds() -> dict[tuple[str, str], dict]:
    """The Gateway API CRDs the stack installs (Envoy Gateway's chart ships them), by (kind,
    version): what the API server validates Gateway API objects against."""
    chart = chart_dir(GATEWAY_CHART)
    crds: dict[tuple[str, str], dict] = {}
    for doc in yaml.safe_load_all((chart / "crds" / "gatewayapi-crds.yaml").read_text()):
        if not doc or doc.get("kind") != "CustomResourceDefinition":
            continue
        for version in doc["spec"]["versions"]:
            key = (doc["spec"]["names"]["kind"], f"{doc['spec']['group']}/{version['name']}")
            crds[key] = version["schema"]["openAPIV3Schema"]
    return crds


def listener_chart() -> Path:
    return chart_dir(LISTENER_CHART)


def agent_server_chart() -> Path:
    return chart_dir(AGENT_SERVER_CHART)


@cache
def helm() -> Path:
    """A Helm binary: the engine build's, the PATH's, or built now from Go modules."""
    engine = os.environ.get(ENGINE_SETTING)
    if engine and (Path(engine) / "helm").is_file():
        return Path(engine) / "helm"
    found = shutil.which("helm")
    if found:
        return Path(found)
    problem = ""
    try:
        result = subprocess.run(
            ["bash", str(REPO / "tools" / "engine" / "build.sh"), "helm"],
            check=True,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    except (subprocess.SubprocessError, OSError) as error:
        problem = str(error)
    if problem:
        pytest.fail(
            f"no helm: set {ENGINE_SETTING} to a directory with helm, put helm on the PATH, or "
            f"install Go so tools/engine/build.sh can build it ({problem})",
            pytrace=False,
        )
    return Path(result.stdout.strip().splitlines()[-1]) / "helm"


def _openapi(setting: str, shared_name: str, url: str, what: str) -> dict:
    """An OpenAPI document: the path `setting` names, else ../shared/reference/<shared_name>,
    else the published `url`, cached once (needs internet)."""
    configured = os.environ.get(setting)
    candidates = (
        [Path(configured)] if configured else [REPO.parent / "shared" / "reference" / shared_name]
    )
    for path in candidates:
        if path.is_file():
            return json.loads(path.read_text())
    if configured:
        pytest.fail(f"{setting}={configured} is not a file", pytrace=False)
    cached = CACHE / shared_name
    if not cached.is_file():
        problem = ""
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                document = response.read()
        except OSError as error:
            problem = str(error)
        if problem:
            pytest.fail(
                f"no {what} OpenAPI document: set {setting} to its path (CI: "
                f"../shared/reference/{shared_name}), or give this machine access to {url} "
                f"({problem})",
                pytrace=False,
            )
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_bytes(document)
    return json.loads(cached.read_text())


@cache
def control_plane_openapi() -> dict:
    """The LangSmith control plane's OpenAPI document (listener and deployment schemas)."""
    return _openapi(OPENAPI_SETTING, "control-plane-openapi.json", OPENAPI_URL, "control plane")


@cache
def platform_openapi() -> dict:
    """The LangSmith platform API's OpenAPI document (workspaces, service keys, roles)."""
    return _openapi(
        PLATFORM_OPENAPI_SETTING, "platform-openapi.json", PLATFORM_OPENAPI_URL, "platform API"
    )


def helm_template(
    chart: Path, release: str, namespace: str, values: dict, *, kube_version: str = "1.33"
) -> list[dict]:
    """`helm template` of an unpacked chart with `values`: the chart's own objects."""
    with tempfile.TemporaryDirectory() as scratch:
        values_file = Path(scratch) / "values.yaml"
        values_file.write_text(yaml.safe_dump(values))
        done = subprocess.run(
            [
                *(str(helm()), "template", release, str(chart), "--namespace", namespace),
                *("--values", str(values_file), "--kube-version", kube_version),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]
