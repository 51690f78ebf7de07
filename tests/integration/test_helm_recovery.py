"""A Helm install or upgrade killed half-way, then retried: against the real Helm and the real
API server (no nodes, so `--wait` never ends on its own: the kill lands mid-wait).

Helm decides: a `pending-*` revision makes it refuse the retry, and after `ReleaseRecovery`
marks the stack's own revision failed, `helm install --replace` (what the stack's releases do,
`helm_release`) and `helm upgrade` go on from it. Someone else's pending revision (other values)
is refused and left exactly as it was."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from components.helm_history import ClusterAccess, latest_revision, values_digest
from components.release_recovery import ReleaseRecoveryProvider, recover
from langsmith_dataplane.versions import METRICS_SERVER_CHART
from tests.artifacts import chart_dir

pytestmark = pytest.mark.integration


def values_for(ns: str) -> dict:
    """The chart's cluster-wide objects are named after `nameOverride` (one per test), but for
    its APIService, which has one name: left out."""
    return {
        "nameOverride": ns,
        "apiService": {"create": False},
        "args": ["--kubelet-insecure-tls"],
        "replicas": 1,
    }


def helm(control_plane, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(control_plane.bin_dir / "helm"), "--kubeconfig", str(control_plane.kubeconfig), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def killed_mid_wait(control_plane, tmp_path: Path, verb: str, release: str, ns: str, values):
    """`helm <verb> --wait` SIGKILLed once its revision is stored: Helm never finishes it."""
    values_file = tmp_path / f"{release}-{verb}.yaml"
    values_file.write_text(yaml.safe_dump(values))
    argv = [str(control_plane.bin_dir / "helm"), "--kubeconfig", str(control_plane.kubeconfig)]
    argv += [verb, release, str(chart_dir(METRICS_SERVER_CHART)), "-n", ns, "--create-namespace"]
    argv += ["-f", str(values_file), "--wait", "--timeout", "10m"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    access = ClusterAccess(kubeconfig_path=str(control_plane.kubeconfig))
    deadline = time.monotonic() + 120
    while True:
        revision = latest_revision(access, ns, release)
        if revision is not None and revision.status.startswith("pending-"):
            break
        assert time.monotonic() < deadline, f"helm {verb} never stored a pending revision"
        time.sleep(0.3)
    time.sleep(1)  # the objects are being created or waited for
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    return access


def props(control_plane, ns: str, release: str, values) -> dict:
    return {
        "namespace": ns,
        "release": release,
        "chart_version": METRICS_SERVER_CHART.version,
        "values_digest": values_digest(values),
        "kubeconfig": None,
        "kubeconfig_path": str(control_plane.kubeconfig),
        "context": None,
    }


def status(control_plane, ns: str, release: str) -> str:
    access = ClusterAccess(kubeconfig_path=str(control_plane.kubeconfig))
    revision = latest_revision(access, ns, release)
    assert revision is not None
    return revision.status


def test_a_killed_install_is_refused_then_retried_once_marked_failed(control_plane, tmp_path):
    ns, release = "recover-install", "metrics"
    values = values_for(ns)
    killed_mid_wait(control_plane, tmp_path, "install", release, ns, values)
    assert status(control_plane, ns, release) == "pending-install"
    chart = str(chart_dir(METRICS_SERVER_CHART))
    values_file = tmp_path / "values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    retry = ["install", release, chart, "-n", ns, "-f", str(values_file), "--replace"]
    refused = helm(control_plane, *retry, check=False)
    assert refused.returncode != 0
    assert "cannot re-use a name that is still in use" in refused.stderr

    provider = ReleaseRecoveryProvider()
    assert provider.diff("id", {}, props(control_plane, ns, release, values)).changes is True
    recover(props(control_plane, ns, release, values))
    assert status(control_plane, ns, release) == "failed"
    assert provider.diff("id", {}, props(control_plane, ns, release, values)).changes is False
    helm(control_plane, *retry)  # the objects the killed install made are adopted
    assert status(control_plane, ns, release) == "deployed"


def test_a_killed_upgrade_goes_on_from_the_last_deployed_revision(control_plane, tmp_path):
    ns, release = "recover-upgrade", "metrics"
    chart = str(chart_dir(METRICS_SERVER_CHART))
    first = [
        "install",
        release,
        chart,
        "-n",
        ns,
        "--create-namespace",
        "--set",
        f"nameOverride={ns}",
    ]
    helm(control_plane, *first)
    newer = {**values_for(ns), "replicas": 2}
    killed_mid_wait(control_plane, tmp_path, "upgrade", release, ns, newer)
    assert status(control_plane, ns, release) == "pending-upgrade"
    values_file = tmp_path / "newer.yaml"
    values_file.write_text(yaml.safe_dump(newer))
    upgrade = ["upgrade", release, chart, "-n", ns, "-f", str(values_file)]
    refused = helm(control_plane, *upgrade, check=False)
    assert "another operation (install/upgrade/rollback) is in progress" in refused.stderr

    recover(props(control_plane, ns, release, newer))
    helm(control_plane, *upgrade)
    assert status(control_plane, ns, release) == "deployed"


def test_a_pending_revision_with_other_values_is_never_touched(control_plane, tmp_path):
    ns, release = "recover-foreign", "metrics"
    values = values_for(ns)
    access = killed_mid_wait(control_plane, tmp_path, "install", release, ns, values)
    before = latest_revision(access, ns, release)
    assert before is not None
    ours = {**values, "replicas": 3}  # not what the pending install was made with
    with pytest.raises(RuntimeError) as refused:
        recover(props(control_plane, ns, release, ours))
    assert "Nothing was changed" in str(refused.value)
    assert f"helm -n {ns} uninstall" in str(refused.value) or "rollback" in str(refused.value)
    after = latest_revision(access, ns, release)
    assert after is not None
    assert (after.status, after.resource_version) == ("pending-install", before.resource_version)
