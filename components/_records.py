"""What every LangSmith record provider (a Pulumi dynamic provider) does the same way: read
with 404 meaning gone and 401 meaning a stale key, and a diff split into replacements and
in-place updates."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pulumi.dynamic import DiffResult, ReadResult
from pulumi.output import Unknown

from components._partial import fail_keeping_state
from langsmith_dataplane.api.cancellation import listen_for_engine_cancel
from langsmith_dataplane.api.deployment_record import DeploymentRecord
from langsmith_dataplane.api.deployments import DeploymentsClient
from langsmith_dataplane.api.transport import ApiError, NotFoundError

# Imported where the waits run, in the dynamic provider host: its `Cancel` now stops them.
listen_for_engine_cancel()

Record = TypeVar("Record")


def read_record(
    id_: str,
    props: dict[str, Any],
    fetch: Callable[[], Record],
    outputs: Callable[[Record], dict[str, Any]],
) -> ReadResult:
    """`fetch` the record: gone (404) is reported gone, so the next `up` recreates it; a key
    rejected (401: a service key rotated or revoked in the UI) keeps the record as it was, so a
    refresh never drops a healthy one, and the next `up` brings the new key."""
    try:
        record = fetch()
    except NotFoundError:
        return ReadResult(None, {})
    except ApiError as exc:
        if exc.status != 401:
            raise
        return ReadResult(id_, props)
    return ReadResult(id_, outputs(record))


def not_known_yet(value: Any) -> bool:
    """An input a preview cannot know yet: the dynamic provider host hands it over as
    `pulumi.output.Unknown` (`rpc.deserialize_property` with unknowns kept)."""
    return isinstance(value, Unknown)


def record_diff(
    olds: dict[str, Any],
    news: dict[str, Any],
    *,
    replaced_by: Iterable[str],
    updated_by: Iterable[str],
    stables: Iterable[str],
    delete_before_replace: bool,
) -> DiffResult:
    """A change of a `replaced_by` input replaces the record; of an `updated_by` one (empty and
    missing alike) updates it in place; unchanged outputs stay known in a preview. An input not
    known yet in a preview (another record's output, itself being updated) is an update there,
    not a replacement: the engine diffs again at `up` with the value, which is mostly the same
    (a renamed workspace keeps its id)."""
    changed = [key for key in replaced_by if olds.get(key) != news.get(key)]
    replaces = [key for key in changed if not not_known_yet(news.get(key))]
    unknown = [key for key in changed if not_known_yet(news.get(key))]
    updates = [key for key in updated_by if (olds.get(key) or None) != (news.get(key) or None)]
    updates += unknown
    return DiffResult(
        changes=bool(replaces or updates),
        replaces=replaces,
        stables=[] if replaces else list(stables),
        delete_before_replace=delete_before_replace,
    )


def wait_keeping_state(
    client: DeploymentsClient,
    deployment: DeploymentRecord,
    outs: dict[str, Any],
    inputs: dict[str, Any],
) -> None:
    """Wait for the deployment's revision into `outs` (`revision_id`, `revision_live`); a wait
    that fails keeps the record in the state with `outs` (what LangSmith now runs), so the next
    `up` waits again, a revert is a change and a removal still deletes it."""
    try:
        outs["revision_id"] = client.wait_until_deployed(deployment)
    except ApiError as exc:
        fail_keeping_state(exc, deployment.id, outs, inputs)
    outs["revision_live"] = True


def delete_deployment(client: DeploymentsClient, id_: str, props: dict[str, Any]) -> None:
    """DELETE, then wait until it is gone; its tracing project too when the topology says."""
    client.delete(id_, wait=True, tracing_project=bool(props.get("delete_tracing_project")))
