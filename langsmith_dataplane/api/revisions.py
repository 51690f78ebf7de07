"""Waiting for a deployment's revision as LangChain's own clients do, and saying why it failed.

Statuses (Terraform provider `waitForRevision`, langgraph-cli `_TERMINAL_STATUSES`): `DEPLOYED`
is live; `SKIPPED` means a newer revision superseded this one, so the wait moves on to that one
(a skipped revision is never called live); `CREATE_FAILED`, `BUILD_FAILED` and `DEPLOY_FAILED`
are failures; everything else (`QUEUED`, `AWAITING_BUILD`, `BUILDING`, `DEPLOYING`, and
`INTERRUPTED` and `UNKNOWN`, which can still progress) keeps the wait going. A revision has no
status message: a failure fetches the tail of the revision's build or deploy logs (the CLI's
`/v1/projects/{deployment}/revisions/{revision}/build_logs`, `.../deploy_logs`) for the error.

Each status change is reported as one line (`report`, stderr in the provider, which the engine
shows under the resource), so a 20-minute build is not a silent spinner.
"""

from __future__ import annotations

import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langsmith_dataplane.api.cancellation import CANCELLED
from langsmith_dataplane.api.transport import ApiError, Transport
from langsmith_dataplane.review.escape import terminal

LIVE = frozenset({"DEPLOYED"})
SUPERSEDED = frozenset({"SKIPPED"})
FAILED = frozenset({"CREATE_FAILED", "BUILD_FAILED", "DEPLOY_FAILED"})
RETRYABLE = frozenset({429, 500, 502, 503, 504})
LOG_LINES = 20
DEFAULT_TIMEOUT = 1800.0  # both of LangChain's clients wait up to 30 minutes


class RevisionFailedError(ApiError):
    pass


def stderr_line(line: str) -> None:
    """The dynamic provider's stderr reaches the engine's output, one line per message."""
    print(line, file=sys.stderr, flush=True)


@dataclass
class RevisionWaiter:
    """Polls one deployment's revisions every `poll` seconds for at most `timeout`."""

    transport: Transport
    poll: float = 5.0
    timeout: float = DEFAULT_TIMEOUT
    report: Callable[[str], None] = field(default=stderr_line, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    # Ends early on the engine's cancel (`cancellation`): a Ctrl-C stops the wait.
    sleep: Callable[[float], object] = field(default=CANCELLED.wait, repr=False)
    cancelled: Callable[[], bool] = field(default=CANCELLED.is_set, repr=False)

    def wait(self, deployment_id: str, name: str, revision_id: str, url: str | None = None) -> str:
        """The id of the revision that went live: `revision_id`, or the one that superseded
        it. Raises `RevisionFailedError` (with the logs' tail) or, at the deadline, `ApiError`."""
        started = self.clock()
        deadline = started + self.timeout
        where = f" ({terminal(url)})" if url else ""
        self.report(f"deployment '{name}'{where}: waiting for revision {revision_id}")
        status, last = "UNKNOWN", None
        while True:
            try:
                status = self._status(deployment_id, revision_id)
            except ApiError as exc:
                if exc.status not in RETRYABLE:
                    raise
            if status != last:
                elapsed = int(self.clock() - started)
                self.report(f"deployment '{name}' revision {revision_id}: {status} ({elapsed} s)")
                last = status
            if status in LIVE:
                return revision_id
            if status in FAILED:
                raise RevisionFailedError(
                    f"deployment '{name}' revision {revision_id} ended {status}"
                    f"{self._logs_tail(deployment_id, revision_id, status)}"
                )
            if status in SUPERSEDED:
                newer = self._latest(deployment_id)
                if newer and newer != revision_id:
                    self.report(
                        f"deployment '{name}' revision {revision_id} was superseded by "
                        f"{newer}: waiting for that one"
                    )
                    revision_id, last = newer, None
                    continue
            if self.cancelled():
                raise ApiError(
                    f"deployment '{name}': stopped waiting for revision {revision_id} "
                    f"({status}): the update was cancelled. LangSmith goes on with the "
                    "revision; the state keeps the deployment and the next `pulumi up` waits "
                    "for it again"
                )
            if self.clock() >= deadline:
                raise ApiError(
                    f"deployment '{name}' revision {revision_id} is still {status} after "
                    f"{self.timeout:.0f} s; LangSmith goes on with it. Run `pulumi up` again to "
                    "wait once more (the state records the revision), or set "
                    "langsmith-dataplane:revisionTimeout to wait longer"
                )
            self.sleep(self.poll)

    def _status(self, deployment_id: str, revision_id: str) -> str:
        path = _path(deployment_id, "revisions", revision_id)
        body = self.transport.expect(
            self.transport.request("GET", path), 200, action=f"reading revision {revision_id}"
        )
        return str(body.get("status") or "UNKNOWN")

    def _latest(self, deployment_id: str) -> str | None:
        body = self.transport.expect(
            self.transport.request("GET", _path(deployment_id)),
            200,
            action=f"reading deployment {deployment_id}",
        )
        return body.get("latest_revision_id")

    def _logs_tail(self, deployment_id: str, revision_id: str, status: str) -> str:
        """The last lines of the build (BUILD_FAILED) or deploy logs, each escaped for a
        terminal; what could not be fetched is said, not raised over the failure itself."""
        kind = "build_logs" if status == "BUILD_FAILED" else "deploy_logs"
        path = "/v1/projects/{}/revisions/{}/{}".format(
            *(urllib.parse.quote(p, safe="") for p in (deployment_id, revision_id, kind))
        )
        try:
            response = self.transport.request("POST", path, {"order": "desc", "limit": LOG_LINES})
            body = self.transport.expect(response, 200, action=f"reading the {kind}")
        except ApiError as exc:
            return f"; its {kind.replace('_', ' ')} could not be read ({exc})"
        lines = [
            terminal(entry.get("message", ""), limit=300)
            for entry in _entries(body)
            if entry.get("message")
        ]
        if not lines:
            return f"; its {kind.replace('_', ' ')} are empty"
        tail = "\n  ".join(reversed(lines))  # newest first from the service: oldest first here
        return f"; the last {len(lines)} lines of its {kind.replace('_', ' ')}:\n  {tail}"


def _entries(body: Any) -> list[dict[str, Any]]:
    logs = body.get("logs") if isinstance(body, dict) else None
    return [entry for entry in logs or [] if isinstance(entry, dict)]


def _path(deployment_id: str, *rest: str) -> str:
    parts = [urllib.parse.quote(p, safe="") for p in (deployment_id, *rest)]
    return "/v2/deployments/" + "/".join(parts)
