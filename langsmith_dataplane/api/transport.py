"""One HTTP transport for every LangSmith API the stack calls (control plane, platform).

Built on `requests` with urllib3's `Retry`: connection errors, 429 and 5xx are retried with
exponential backoff, and a `Retry-After` header is honoured (capped, so a bad header cannot
stall `pulumi up`). Reads, deletes and idempotent writes go through `request`, which retries.
A write the service may act on twice (every create, and every PATCH that makes a revision: the
Terraform provider sends those with retries off) goes through `write_once`: after an attempt
whose answer was lost it asks `recover`, which reads what the service now has, and sends again
only when that shows the write did not happen. Errors name the call and what to do, never a
key: the headers live only in the session.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

PAGE_SIZE = 100
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class ApiError(Exception):
    """A failed API call, with a message a platform engineer can act on."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class NotFoundError(ApiError):
    pass


class ConflictError(ApiError):
    pass


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
    return str(detail)[:500] if detail else ""


class _Retry(Retry):
    """urllib3's policy, sleeping through an injectable function and capping `Retry-After`."""

    def __init__(
        self,
        *args: Any,
        sleeper: Callable[[float], None] = time.sleep,
        max_retry_after: float = 60.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sleeper = sleeper
        self.max_retry_after = max_retry_after

    def new(self, **kw: Any) -> _Retry:
        new = super().new(**kw)
        new.sleeper, new.max_retry_after = self.sleeper, self.max_retry_after
        return new

    def sleep(self, response: Any = None) -> None:
        after = self.get_retry_after(response) if response is not None else None
        if after is not None and self.respect_retry_after_header:
            self.sleeper(min(after, self.max_retry_after))
        else:
            self.sleeper(self.get_backoff_time())


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    retry_after: float | None = None


@dataclass
class Transport:
    """Requests to `base_url` with fixed headers; `service` and `forbidden` word the errors."""

    base_url: str
    headers: Mapping[str, str] = field(repr=False)
    service: str = "the LangSmith API"
    forbidden: str = "the API key has no access to this resource"
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 0.5
    max_retry_after: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    _session: requests.Session | None = field(default=None, init=False, repr=False)
    _once: requests.Session | None = field(default=None, init=False, repr=False)

    @property
    def session(self) -> requests.Session:
        if self._session is None:
            retry = _Retry(
                total=self.retries,
                connect=self.retries,
                read=self.retries,
                status=self.retries,
                other=0,
                backoff_factor=self.backoff,
                status_forcelist=RETRY_STATUSES,
                allowed_methods=None,  # every method: writes that are not idempotent use `once`
                respect_retry_after_header=True,
                raise_on_status=False,
                sleeper=self.sleep,
                max_retry_after=self.max_retry_after,
            )
            session = requests.Session()
            session.headers.update(
                {"Accept": "application/json", "User-Agent": "langsmith-dataplane"}
            )
            session.headers.update(self.headers)
            adapter = HTTPAdapter(max_retries=retry)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            self._session = session
        return self._session

    @property
    def once(self) -> requests.Session:
        """A session that retries only what never reached the server (connection refused):
        for creates, where a lost answer is recovered by looking, not by sending again."""
        if self._once is None:
            retry = _Retry(
                total=self.retries,
                connect=self.retries,
                read=0,
                status=0,
                other=0,
                backoff_factor=self.backoff,
                allowed_methods=None,
                raise_on_status=False,
                sleeper=self.sleep,
            )
            session = requests.Session()
            session.headers.update(self.session.headers)
            adapter = HTTPAdapter(max_retries=retry)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            self._once = session
        return self._once

    def write_once(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        action: str,
        recover: Callable[[], Any],
        ok: tuple[int, ...] = (200, 201),
    ) -> tuple[Any, bool]:
        """Send a write that must never happen twice: (the answer's body, False), or (what
        `recover` found, True).

        After an attempt the server may have acted on (the connection dropped after sending, a
        timeout, 5xx, 429), `recover()` runs before the next attempt: it returns the record the
        lost attempt made (adopted), or None after clearing what cannot be adopted (a key
        whose value was lost), and the POST is sent again. Backoff as the session's, with
        `Retry-After` honoured; other statuses are errors for the caller (409: adopt).
        """
        reason = ""
        for attempt in range(self.retries + 1):
            if attempt:
                found = recover()
                if found is not None:
                    return found, True
            try:
                response = self._send_once(method, path, body)
            except requests.RequestException as exc:
                reason = _short(getattr(exc, "args", [exc])[0])
                self.sleep(self._backoff(attempt))
                continue
            if response.status in ok:
                return response.body, False
            if response.status not in RETRY_STATUSES:
                raise self.error(action, response)
            reason = f"HTTP {response.status}: {error_detail(response.body)}"
            after = response.retry_after
            wait = self._backoff(attempt) if after is None else min(after, self.max_retry_after)
            self.sleep(wait)
        raise ApiError(
            f"{action}: no success after {self.retries + 1} attempts ({reason}); what an "
            "attempt may have made is found again or cleared by the next run"
        )

    def _backoff(self, attempt: int) -> float:
        return min(self.backoff * (2**attempt), 30.0)

    def _send_once(self, method: str, path: str, body: Any) -> Response:
        url = f"{self.base_url.rstrip('/')}{path}"
        response = self.once.request(
            method, url, json=body, timeout=self.timeout, verify=trusted_cas()
        )
        after = response.headers.get("Retry-After")
        retry_after = float(after) if after and after.replace(".", "", 1).isdigit() else None
        return Response(response.status_code, _parse(response), retry_after)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """`headers` adds to the fixed ones for this request (e.g. the workspace it is about)."""
        url = f"{self.base_url.rstrip('/')}{path}"
        try:
            response = self.session.request(
                method,
                url,
                json=body,
                params=params,
                headers=dict(headers) if headers else None,
                timeout=self.timeout,
                verify=trusted_cas(),
            )
        except requests.RequestException as exc:
            reason = getattr(exc, "args", [exc])[0]
            raise ApiError(
                f"cannot reach {self.service} at {self.base_url} after {self.retries + 1} "
                f"attempts: {_short(reason)}"
            ) from None
        return Response(response.status_code, _parse(response))

    def expect(self, response: Response, *ok: int, action: str) -> Any:
        """The body when the status is one of `ok`; else the error for `action`."""
        if response.status in ok:
            return response.body
        raise self.error(action, response)

    def error(self, action: str, response: Response) -> ApiError:
        status, detail = response.status, error_detail(response.body)
        if status == 404:
            return NotFoundError(f"{action}: not found (404): {detail}", status)
        if status == 409:
            return ConflictError(f"{action}: already exists (409): {detail}", status)
        if status == 401:
            return ApiError(f"{action}: the API key was rejected (401): {detail}", status)
        if status == 403:
            return ApiError(
                f"{action}: LangSmith refused (403): {detail or 'forbidden'}. {self.forbidden}",
                status,
            )
        if status == 422:
            return ApiError(f"{action}: LangSmith rejected the request (422): {detail}", status)
        if status == 429:
            return ApiError(
                f"{action}: rate limited (429) after {self.retries + 1} attempts: {detail}",
                status,
            )
        if status >= 500:
            return ApiError(f"{action}: LangSmith server error {status}: {detail}", status)
        return ApiError(f"{action}: unexpected HTTP {status}: {detail}", status)

    def delete(self, path: str, *, action: str, headers: Mapping[str, str] | None = None) -> bool:
        """DELETE `path`: True if deleted, False if it was already gone (404 counts as done,
        so a repeated or interrupted delete converges)."""
        response = self.request("DELETE", path, headers=headers)
        if response.status == 404:
            return False
        self.expect(response, 200, 202, 204, action=action)
        return True

    def paginate(
        self, path: str, params: Mapping[str, Any] | None = None, *, action: str
    ) -> Iterator[dict[str, Any]]:
        """Every item of a `{resources: [...]}` list, `limit`/`offset` page by page."""
        offset = 0
        while True:
            query = {**(params or {}), "limit": PAGE_SIZE, "offset": offset}
            body = self.expect(self.request("GET", path, params=query), 200, action=action)
            page = body.get("resources", []) if isinstance(body, dict) else []
            yield from (item for item in page if isinstance(item, dict))
            if len(page) < PAGE_SIZE:
                return
            offset += len(page)


def trusted_cas() -> str | bool:
    """The CA bundle to verify LangSmith's certificate with: `SSL_CERT_FILE` (what Python's own
    `ssl`, and so the stack's earlier client, honour: a corporate proxy's or a self-hosted
    control plane's CA), else `REQUESTS_CA_BUNDLE`, else requests' default bundle. Passed with
    each request, so a machine-wide REQUESTS_CA_BUNDLE cannot silently override SSL_CERT_FILE."""
    for setting in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        value = os.environ.get(setting)
        if value:
            return value
    return True


def _parse(response: requests.Response) -> Any:
    if not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        return {"detail": response.text[:500]}


def _short(reason: Any) -> str:
    text = str(getattr(reason, "reason", reason))
    return text[:300]
