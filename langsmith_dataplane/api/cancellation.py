"""The engine's cancel (the first Ctrl-C of `pulumi up`) reaching a wait inside a provider.

On Ctrl-C the engine sends every provider a `Cancel` RPC and waits for the operations in
flight. Pulumi's Python dynamic provider host answers `Cancel` and does nothing else, so a
revision wait would go on for up to `revisionTimeout` (30 minutes). This module makes the
host's `Cancel` set `CANCELLED`, which the waits poll (`revisions.RevisionWaiter`): the wait
stops within a second, the record is kept in the state, and the next `up` waits again.

SDK internal touched: `pulumi.dynamic.__main__.DynamicResourceProviderServicer.Cancel`, which
the host's gRPC server bound before any provider code was imported, so its function's code is
replaced in place (the bound method then runs ours). Guarded by
`tests/api/test_cancellation.py` (the patch, against the installed SDK) and by the engine test
`tests/integration/test_faults_engine.py::test_ctrl_c_stops_a_revision_wait`.
"""

from __future__ import annotations

import sys
import threading

CANCELLED = threading.Event()
_HOST_CLASS = "DynamicResourceProviderServicer"


def _cancel(self, request, context):  # the host servicer's signature, untyped there too
    # Runs with the host module's globals: reach this module through the import system.
    __import__("langsmith_dataplane.api.cancellation", fromlist=["CANCELLED"]).CANCELLED.set()
    return empty_pb2.Empty()  # noqa: F821  # a global of the host module, where this runs


def listen_for_engine_cancel() -> bool:
    """In the dynamic provider host, make its `Cancel` set `CANCELLED`; elsewhere do nothing.
    True when the host was found (and patched, once)."""
    host = sys.modules.get("__main__")
    servicer = getattr(host, _HOST_CLASS, None)
    cancel = getattr(servicer, "Cancel", None)
    if cancel is None or not hasattr(host, "empty_pb2"):
        return False
    if cancel.__code__ is not _cancel.__code__:
        cancel.__code__ = _cancel.__code__
    return True
