"""A simulated run does not capture where each resource was declared.

For every resource the SDK walks the whole Python call stack (`traceback.extract_stack`) and
turns each frame into a file URI (`pathlib.Path.as_uri`), so that the engine can show where a
resource came from (`sourcePosition`, `stackTrace` in the RegisterResource request). That costs
in proportion to the depth of the stack, every frame of the wiring, the components and the
event loop: about a fifth of a plan (`benchmarks/call_site_cost.py`). Under the mocks no engine
reads it and the recording monitor keeps none of it, so `run_under_mocks` turns the capture off
for its run; `pulumi up` (the real engine) never enters this and keeps it.

The SDK has no setting for this, so its private `_get_stack_trace` is swapped for the block.
If an SDK upgrade renames it, nothing is swapped (the plan is as before, only slower) and
`tests/test_call_sites.py` fails to say so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from pulumi.runtime import resource as sdk_resource
from pulumi.runtime.proto import source_pb2

CAPTURE_FUNCTION = "_get_stack_trace"
# The SDK's own capture, kept from import: what every block puts back, whatever order
# overlapping blocks (simulations on several threads) end in.
_SDK_CAPTURE: Callable[[], source_pb2.StackTrace] | None = getattr(
    sdk_resource, CAPTURE_FUNCTION, None
)
_lock = threading.Lock()
_open_blocks = 0


def _no_stack_trace() -> source_pb2.StackTrace:
    """What the SDK sends when it finds no user frame: an empty trace, hence no position."""
    return source_pb2.StackTrace()


def capture_swappable() -> bool:
    """Whether this SDK still captures call sites through the function swapped here."""
    return callable(_SDK_CAPTURE)


@contextmanager
def call_sites_skipped() -> Iterator[None]:
    """No call-site capture inside the block; the SDK's own once the last open block ends."""
    global _open_blocks
    if not capture_swappable():
        yield
        return
    with _lock:
        _open_blocks += 1
        setattr(sdk_resource, CAPTURE_FUNCTION, _no_stack_trace)
    try:
        yield
    finally:
        with _lock:
            _open_blocks -= 1
            if _open_blocks == 0:
                setattr(sdk_resource, CAPTURE_FUNCTION, _SDK_CAPTURE)
