"""A small client for the LangSmith Deployment Control Plane listener API (`/v2/listeners`).

Standard library only: it runs inside Pulumi's dynamic-provider process. Retries with
exponential backoff on connection errors and 5xx, never on 4xx. Error messages never contain
the API key.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

PAGE_SIZE = 100


class ControlPlaneError(Exception):
    """A failed control plane call, with a message a platform engineer can act on."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class ListenerNotFoundError(ControlPlaneError):
    pass


class ListenerExistsError(ControlPlaneError):
    pass


@dataclass(frozen=True)
class Listener:
    id: str
    compute_type: str
    compute_id: str
    namespaces: tuple[str, ...]

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Listener:
        config = body.get("compute_config") or {}
        return cls(
            id=str(body["id"]),
            compute_type=str(body.get("compute_type", "")),
            compute_id=str(body.get("compute_id", "")),
            namespaces=tuple(config.get("k8s_namespaces") or ()),
        )


def error_detail(body: Any) -> str:
    """FastAPI-style `detail`: a string, or a list of {loc, msg, type} for 422s."""
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []))
                parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return str(detail) if detail else ""


@dataclass
class ControlPlaneClient:
    """Calls are scoped to one workspace: `X-Tenant-Id` is always sent with `X-Api-Key`."""

    base_url: str
    api_key: str = field(repr=False)
    workspace_id: str
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, Any]:
        url = f"{self.base_url.rstrip('/')}{path}"
        data = json.dumps(body).encode() if body is not None else None
        headers = {
            "X-Api-Key": self.api_key,
            "X-Tenant-Id": self.workspace_id,
            "Accept": "application/json",
            "User-Agent": "langsmith-dataplane",
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        attempt = 0
        while True:
            request = urllib.request.Request(url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.status, _parse(response.read())
            except urllib.error.HTTPError as exc:
                status, parsed = exc.code, _parse(exc.read())
                if status < 500 or attempt >= self.retries:
                    return status, parsed
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                if attempt >= self.retries:
                    raise ControlPlaneError(
                        f"cannot reach the LangSmith control plane at {self.base_url} "
                        f"after {attempt + 1} attempts: {getattr(exc, 'reason', exc)}"
                    ) from None
            self.sleep(self.backoff * (2**attempt))
            attempt += 1

    def _fail(self, action: str, status: int, body: Any) -> ControlPlaneError:
        detail = error_detail(body)
        if status == 401:
            return ControlPlaneError(f"{action}: the API key was rejected (401): {detail}", status)
        if status == 403:
            return ControlPlaneError(
                f"{action}: LangSmith refused (403): {detail or 'forbidden'}. Either the "
                "organisation's plan does not include hybrid listeners, or the API key has no "
                f"access to workspace {self.workspace_id}",
                status,
            )
        if status == 422:
            return ControlPlaneError(
                f"{action}: LangSmith rejected the request (422): {detail}", status
            )
        if status >= 500:
            return ControlPlaneError(f"{action}: LangSmith server error {status}: {detail}", status)
        return ControlPlaneError(f"{action}: unexpected HTTP {status}: {detail}", status)

    # -- the API ---------------------------------------------------------------------------
    def create_listener(self, compute_id: str, namespaces: Sequence[str]) -> Listener:
        body = {
            "compute_type": "k8s",
            "compute_id": compute_id,
            "compute_config": {"k8s_namespaces": list(namespaces)},
        }
        status, parsed = self._request("POST", "/v2/listeners", body)
        if status in (200, 201):
            return Listener.from_json(parsed)
        if status == 409:
            raise ListenerExistsError(error_detail(parsed), status)
        raise self._fail(f"creating listener '{compute_id}'", status, parsed)

    def get_listener(self, listener_id: str) -> Listener:
        path = f"/v2/listeners/{urllib.parse.quote(listener_id, safe='')}"
        status, parsed = self._request("GET", path)
        if status == 200:
            return Listener.from_json(parsed)
        if status == 404:
            raise ListenerNotFoundError(error_detail(parsed), status)
        raise self._fail(f"reading listener {listener_id}", status, parsed)

    def update_namespaces(self, listener_id: str, namespaces: Sequence[str]) -> Listener:
        path = f"/v2/listeners/{urllib.parse.quote(listener_id, safe='')}"
        body = {"compute_config": {"k8s_namespaces": list(namespaces)}}
        status, parsed = self._request("PATCH", path, body)
        if status == 200:
            return Listener.from_json(parsed)
        if status == 404:
            raise ListenerNotFoundError(error_detail(parsed), status)
        raise self._fail(f"updating listener {listener_id}", status, parsed)

    def delete_listener(self, listener_id: str) -> bool:
        """True if deleted, False if it was already gone (404 counts as done)."""
        path = f"/v2/listeners/{urllib.parse.quote(listener_id, safe='')}"
        status, parsed = self._request("DELETE", path)
        if status in (200, 202, 204):
            return True
        if status == 404:
            return False
        raise self._fail(f"deleting listener {listener_id}", status, parsed)

    def iter_listeners(self) -> Iterator[Listener]:
        offset = 0
        while True:
            status, parsed = self._request(
                "GET", f"/v2/listeners?limit={PAGE_SIZE}&offset={offset}"
            )
            if status != 200:
                raise self._fail("listing listeners", status, parsed)
            page = parsed.get("resources", []) if isinstance(parsed, dict) else []
            for item in page:
                yield Listener.from_json(item)
            if len(page) < PAGE_SIZE:
                return
            offset += len(page)

    def find_listener(self, compute_id: str) -> Listener | None:
        for listener in self.iter_listeners():
            if listener.compute_type == "k8s" and listener.compute_id == compute_id:
                return listener
        return None

    def ensure_listener(self, compute_id: str, namespaces: Sequence[str]) -> tuple[Listener, bool]:
        """Create the listener, or adopt the existing one with this compute id (409).

        Returns the listener and whether it was adopted. An adopted listener's namespaces are
        brought in line with `namespaces`.
        """
        try:
            return self.create_listener(compute_id, namespaces), False
        except ListenerExistsError:
            existing = self.find_listener(compute_id)
            if existing is None:
                raise ControlPlaneError(
                    f"LangSmith says a listener with compute id '{compute_id}' exists in "
                    f"workspace {self.workspace_id}, but it is not in the listener list"
                ) from None
            if sorted(existing.namespaces) != sorted(namespaces):
                existing = self.update_namespaces(existing.id, namespaces)
            return existing, True


def _parse(raw: bytes) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError:
        return {"detail": raw.decode("utf-8", "replace")[:500]}
