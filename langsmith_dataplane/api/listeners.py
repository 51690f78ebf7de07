"""`/v2/listeners`: register a cluster's listener with the control plane.

Natural key: (workspace, `compute_id`), unique (a second is refused with 409). The stack takes
over a listener registered before only when the topology names it (`adopt`); one that appears
after the stack's own POST lost its answer is the stack's.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from langsmith_dataplane.api.transport import ApiError, ConflictError, Transport


@dataclass(frozen=True)
class ListenerRecord:
    id: str
    compute_type: str
    compute_id: str
    namespaces: tuple[str, ...]

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ListenerRecord:
        config = body.get("compute_config") or {}
        return cls(
            id=str(body["id"]),
            compute_type=str(body.get("compute_type", "")),
            compute_id=str(body.get("compute_id", "")),
            namespaces=tuple(config.get("k8s_namespaces") or ()),
        )


@dataclass
class ListenersClient:
    transport: Transport

    @staticmethod
    def _path(listener_id: str) -> str:
        return f"/v2/listeners/{urllib.parse.quote(listener_id, safe='')}"

    def create(self, compute_id: str, namespaces: Sequence[str]) -> ListenerRecord:
        """POSTed once: after a lost answer the listener that appeared with the compute id is
        the one this call made (a 409 is the caller's to explain)."""
        body = {
            "compute_type": "k8s",
            "compute_id": compute_id,
            "compute_config": {"k8s_namespaces": list(namespaces)},
        }
        made, recovered = self.transport.write_once(
            "POST",
            "/v2/listeners",
            body,
            action=f"creating listener '{compute_id}'",
            recover=lambda: self.find(compute_id),
        )
        return made if recovered else ListenerRecord.from_json(made)

    def get(self, listener_id: str) -> ListenerRecord:
        response = self.transport.request("GET", self._path(listener_id))
        action = f"reading listener {listener_id}"
        return ListenerRecord.from_json(self.transport.expect(response, 200, action=action))

    def update_namespaces(self, listener_id: str, namespaces: Sequence[str]) -> ListenerRecord:
        body = {"compute_config": {"k8s_namespaces": list(namespaces)}}
        response = self.transport.request("PATCH", self._path(listener_id), body)
        action = f"updating listener {listener_id}"
        return ListenerRecord.from_json(self.transport.expect(response, 200, action=action))

    def delete(self, listener_id: str) -> bool:
        """True if deleted, False if it was already gone (404 counts as done)."""
        return self.transport.delete(
            self._path(listener_id), action=f"deleting listener {listener_id}"
        )

    def list(self) -> Iterator[ListenerRecord]:
        items = self.transport.paginate("/v2/listeners", action="listing listeners")
        return (ListenerRecord.from_json(item) for item in items)

    def find(self, compute_id: str) -> ListenerRecord | None:
        return next(
            (
                listener
                for listener in self.list()
                if listener.compute_type == "k8s" and listener.compute_id == compute_id
            ),
            None,
        )

    def ensure(
        self, compute_id: str, namespaces: Sequence[str], adopt: str | None = None
    ) -> tuple[ListenerRecord, bool]:
        """Register the listener, or take over the one with this compute id when the topology
        names it (`adopt`). Returns the listener and whether it was adopted; an adopted
        listener's namespaces are brought in line with `namespaces`.

        The POST is sent once: after a lost answer the listener that appeared with the compute
        id is the stack's own. One registered before (by hand, or by a run that was killed) is
        an error naming `adopt`, never taken over silently: destroying it would strand the
        deployments made through it.
        """
        existing = self.find(compute_id)
        if existing is None:
            try:
                return self.create(compute_id, namespaces), False
            except ConflictError:  # registered meanwhile by someone else
                existing = self.find(compute_id)
                if existing is None:
                    raise ApiError(
                        f"LangSmith says a listener with compute id '{compute_id}' exists, but "
                        "it is not in the workspace's listener list"
                    ) from None
        if adopt is None or adopt.lower() != existing.id.lower():
            raise ApiError(
                f"a listener with compute id '{compute_id}' is registered already (id "
                f"{existing.id}), not by this stack: to take it over add `adopt: {existing.id}` "
                "to the listener (its namespaces will follow the topology, and removing the "
                f"listener deletes it), use `listenerId: {existing.id}` to run against it "
                "without managing it, or give this listener another `computeId`"
            )
        if sorted(existing.namespaces) != sorted(namespaces):
            existing = self.update_namespaces(existing.id, namespaces)
        return existing, True
