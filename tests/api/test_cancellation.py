"""The engine's cancel reaches the waits: the host's `Cancel` sets `CANCELLED`, and the waits
(revision, deletion) stop at their next poll instead of running to `revisionTimeout`.

The patch is checked against the installed SDK's own host module (the one the engine runs),
loaded as `__main__` the way the host runs it; the engine test
`tests/integration/test_faults_engine.py::test_ctrl_c_cancels_and_the_next_run_converges`
sends the real signal."""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from pathlib import Path

import pytest

from langsmith_dataplane.api import cancellation
from langsmith_dataplane.api.control_plane import control_plane
from langsmith_dataplane.api.deployments import DeploymentsClient
from langsmith_dataplane.api.transport import ApiError
from tests.components.test_agent_deployment import IMAGE, KEY, WORKSPACE, client, spec
from tests.components.test_agent_deployment import api as api  # the fixture


@pytest.fixture
def host_module(monkeypatch):
    """The dynamic provider host's module, without its trailing `main()` (which serves)."""
    spec = importlib.util.find_spec("pulumi.dynamic.__main__")
    assert spec is not None
    assert spec.origin
    source = Path(spec.origin).read_text(encoding="utf-8")
    assert source.rstrip().endswith("main()"), "the host module no longer ends with main()"
    module = types.ModuleType("__main__")
    module.__file__ = spec.origin
    exec(compile(source.rstrip()[: -len("main()")], spec.origin, "exec"), module.__dict__)
    monkeypatch.setitem(sys.modules, "__main__", module)
    original = module.DynamicResourceProviderServicer.Cancel.__code__
    yield module
    module.DynamicResourceProviderServicer.Cancel.__code__ = original
    cancellation.CANCELLED.clear()


def test_the_host_cancel_sets_the_event(host_module):
    servicer = host_module.DynamicResourceProviderServicer()
    bound_before_the_patch = servicer.Cancel  # the gRPC server binds it before we import
    assert cancellation.listen_for_engine_cancel() is True
    assert cancellation.listen_for_engine_cancel() is True  # idempotent
    assert not cancellation.CANCELLED.is_set()
    answer = bound_before_the_patch(None, None)
    assert type(answer).__name__ == "Empty"
    assert cancellation.CANCELLED.is_set()


def test_outside_the_host_nothing_is_patched(monkeypatch):
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    assert cancellation.listen_for_engine_cancel() is False


def _cancel_after(polls: int):
    """Like the engine's cancel arriving while the wait sleeps its `polls`-th poll."""
    seen = {"polls": 0}

    def cancelled() -> bool:
        seen["polls"] += 1
        return seen["polls"] > polls

    return cancelled


def test_a_cancelled_revision_wait_stops_at_its_next_poll_and_says_what_follows(api):
    api.state.revision_outcomes[IMAGE] = "stuck"  # never released: only the cancel ends it
    c = client(api, cancelled=_cancel_after(2))
    deployment = c.create(spec(api))
    with pytest.raises(ApiError) as stopped:
        c.wait_until_deployed(deployment)
    assert c.clock_.sleeps == [1, 1]
    message = str(stopped.value)
    assert f"stopped waiting for revision {deployment.latest_revision_id} (QUEUED)" in message
    assert "the update was cancelled" in message
    assert "next `pulumi up` waits for it again" in message


def test_a_cancelled_deletion_wait_stops_and_the_next_run_finishes_it(api):
    api.state.delete_polls = 10**6
    c = client(api, cancelled=_cancel_after(1))
    deployment = c.create(spec(api))
    with pytest.raises(ApiError, match=r"stopped waiting for deployment \S+ to go: the update"):
        c.delete(deployment.id)
    api.state.deployments.items[deployment.id]["_polls_left"] = 1  # the operator finishes
    assert client(api).delete(deployment.id) is False  # 404: deleted already, waited for
    assert api.state.deployments.items == {}


def test_the_default_sleep_is_cut_short_by_the_cancel(api):
    """The poll sleeps on `CANCELLED`: a cancel mid-sleep ends the wait at once, not after
    the poll interval (an hour here)."""
    api.state.revision_outcomes[IMAGE] = "stuck"
    transport = control_plane(api.url, KEY, WORKSPACE, timeout=5)
    c = DeploymentsClient(transport, poll=3600, report=lambda _line: None)
    deployment = c.create(spec(api))
    timer = threading.Timer(0.2, cancellation.CANCELLED.set)
    timer.start()
    try:
        with pytest.raises(ApiError, match="the update was cancelled"):
            c.wait_until_deployed(deployment)
    finally:
        timer.cancel()
        cancellation.CANCELLED.clear()
