"""A simulated run sends no call sites; the SDK's capture is back once the run ends."""

from __future__ import annotations

import contextlib
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pytest
from pulumi.runtime import resource as sdk_resource

from langsmith_dataplane import simulation
from langsmith_dataplane.call_sites import (
    CAPTURE_FUNCTION,
    call_sites_skipped,
    capture_swappable,
)
from tests.sim import registrations


def _requests(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The Namespace's RegisterResource request in a small program with a component."""

    def program() -> dict[str, Any]:
        parent = pulumi.ComponentResource("langsmith:index:Egress", "egress")
        k8s.core.v1.Namespace(
            "ns", metadata={"name": "agents"}, opts=pulumi.ResourceOptions(parent=parent)
        )
        return {}

    return [r for r in registrations(monkeypatch, program) if r.type.endswith(":Namespace")]


def test_the_pinned_sdk_captures_call_sites_through_the_swapped_function() -> None:
    # An SDK upgrade that renames it would leave plans correct but slower: say so here.
    assert capture_swappable()


def test_a_simulated_run_sends_no_call_site(monkeypatch: pytest.MonkeyPatch) -> None:
    original = getattr(sdk_resource, CAPTURE_FUNCTION)
    (request,) = _requests(monkeypatch)
    assert not request.HasField("sourcePosition")
    assert len(request.stackTrace.frames) == 0
    assert getattr(sdk_resource, CAPTURE_FUNCTION) is original


def test_without_the_swap_the_sdk_would_send_this_files_frames(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The check above means something only if the SDK fills these fields for this program.
    monkeypatch.setattr(simulation, "call_sites_skipped", contextlib.nullcontext)
    (request,) = _requests(monkeypatch)
    assert request.sourcePosition.uri.endswith("test_call_sites.py")
    assert len(request.stackTrace.frames) > 0


def test_the_capture_is_restored_when_the_block_raises() -> None:
    original = getattr(sdk_resource, CAPTURE_FUNCTION)
    inside: list[object] = []

    def fail() -> None:
        inside.append(getattr(sdk_resource, CAPTURE_FUNCTION))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"), call_sites_skipped():
        fail()
    assert inside != [original]
    assert getattr(sdk_resource, CAPTURE_FUNCTION) is original


def test_overlapping_blocks_put_the_sdk_capture_back_whatever_order_they_end_in() -> None:
    original = getattr(sdk_resource, CAPTURE_FUNCTION)
    first, second = call_sites_skipped(), call_sites_skipped()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the first ends while the second still runs
    assert getattr(sdk_resource, CAPTURE_FUNCTION) is not original
    second.__exit__(None, None, None)
    assert getattr(sdk_resource, CAPTURE_FUNCTION) is original
