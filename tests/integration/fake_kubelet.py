"""What a kubelet would report, for a cluster without nodes: every pod Running and Ready with an
address, except the pods of the Helm releases a test holds back.

With it, the engine and Helm wait for readiness as they do on a real cluster (no `skipAwait`),
and a test chooses which release's install is still waiting when it kills the engine. The
controllers that decide readiness (ReplicaSet, StatefulSet, Deployment, endpoints) are the
real kube-controller-manager's; only the pods' status is made up.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import threading
from typing import Any

RELEASE_LABEL = "app.kubernetes.io/instance"


class FakeKubelet:
    def __init__(self, core: Any) -> None:
        self.core = core
        self.held: set[str] = set()  # Helm release names whose pods stay Pending
        self._stop = threading.Event()
        self._addresses = (f"10.244.{n // 250}.{n % 250 + 2}" for n in itertools.count())
        self._ready: set[str] = set()
        self._thread = threading.Thread(target=self._run, name="fake-kubelet", daemon=True)

    def __enter__(self) -> FakeKubelet:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _held(self, pod: Any) -> bool:
        labels = pod.metadata.labels or {}
        return labels.get(RELEASE_LABEL) in self.held

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            with contextlib.suppress(Exception):  # the API server restarting, a pod gone
                for pod in self.core.list_pod_for_all_namespaces().items:
                    if pod.metadata.uid in self._ready or self._held(pod):
                        continue
                    self._report_ready(pod)
                    self._ready.add(pod.metadata.uid)

    def _report_ready(self, pod: Any) -> None:
        now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        conditions = [
            {"type": kind, "status": "True", "lastTransitionTime": now}
            for kind in ("PodScheduled", "Initialized", "ContainersReady", "Ready")
        ]
        containers = [
            {
                "name": c.name,
                "image": c.image,
                "imageID": "",
                "ready": True,
                "started": True,
                "restartCount": 0,
                "state": {"running": {"startedAt": now}},
            }
            for c in pod.spec.containers
        ]
        address = next(self._addresses)
        status = {
            "phase": "Running",
            "conditions": conditions,
            "containerStatuses": containers,
            "podIP": address,
            "podIPs": [{"ip": address}],
            "hostIP": "10.0.0.1",
            "startTime": now,
        }
        self.core.patch_namespaced_pod_status(
            pod.metadata.name, pod.metadata.namespace, {"status": status}
        )
