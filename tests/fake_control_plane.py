"""A local stand-in for the LangSmith Deployment Control Plane listener API (`/v2/listeners`).

Implements the documented behaviour over real HTTP on loopback: 201/200/204/404/409/422 with
their bodies, pagination with limit/offset, uniqueness of (workspace, compute id), 403 without
`X-Tenant-Id` or when the organisation's plan has no listeners, immutable compute id and type.
Failures can be injected (HTTP 503 or dropped connections) to exercise retries.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@dataclass
class ApiKey:
    workspaces: set[str]
    plan_allows_listeners: bool = True
    writes: bool = True  # False: a Viewer's key, refused on every write


@dataclass
class FakeControlPlane:
    keys: dict[str, ApiKey] = field(default_factory=dict)
    listeners: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> listener + tenant
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    # Faults for the next requests, in order: a status (503), (429, retry_after_seconds),
    # "drop" (the connection closes before the server acts), "act-then-drop" (the server
    # acts, then the connection closes before the client hears back) or ("timeout", seconds)
    # (the server acts, then stays silent longer than the client waits).
    fail_next: list[Any] = field(default_factory=list)
    # The same faults aimed at one request: (method, path prefix) -> [(nth, fault)], counted
    # per (method, prefix), deterministic. See `fault()`.
    faults: dict[tuple[str, str], list[list[Any]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # The published OpenAPI document: request and response bodies are checked against it.
    openapi: dict[str, Any] | None = None
    violations: list[str] = field(default_factory=list)
    revision_outcomes: dict[str, Any] = field(default_factory=dict)  # image -> (status, msg)
    delete_polls: int = 1  # reads that still see a deleted deployment (AWAITING_DELETE)
    deployments: Any = None
    platform: Any = None  # a `tests.fake_platform.Platform`: serves /api/v1/
    # GitHub integrations (installations of LangSmith's GitHub App): id -> record with
    # `_tenant` and `_repos` (the repository URLs it can read). See `install_github()`.
    github_integrations: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        from tests.fake_deployments import Deployments

        self.deployments = Deployments(self)

    def fault(self, method: str, path: str, fault: Any, nth: int = 1) -> None:
        """Fail the `nth` request (from now) of `method` on a path starting with `path`."""
        self.faults.setdefault((method, path), []).append([nth, fault])

    def _take_fault(self, method: str, path: str) -> Any:
        for (fault_method, prefix), pending in self.faults.items():
            if fault_method != method or not path.startswith(prefix):
                continue
            for entry in pending:
                entry[0] -= 1
            due = [entry for entry in pending if entry[0] == 0]
            for entry in due:
                pending.remove(entry)
            if due:
                return due[0][1]
        return None

    def install_github(self, workspace: str, name: str, repos: list[str]) -> dict[str, Any]:
        """The GitHub App installed in the UI for `workspace`, able to read `repos`."""
        integration = {
            "id": str(uuid.uuid4()),
            "installation_id": 40_000_000 + len(self.github_integrations),
            "name": name,
            "_tenant": workspace,
            "_repos": list(repos),
        }
        self.github_integrations[integration["id"]] = integration
        return integration

    def seed(self, workspace: str, compute_id: str, namespaces: list[str]) -> dict[str, Any]:
        now = datetime.now(UTC).isoformat()
        listener = {
            "id": str(uuid.uuid4()),
            "compute_type": "k8s",
            "compute_id": compute_id,
            "compute_config": {"k8s_namespaces": namespaces},
            "version": 1,
            "created_at": now,
            "updated_at": now,
            "_tenant": workspace,
        }
        self.listeners[listener["id"]] = listener
        return listener


def _public(listener: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in listener.items() if not k.startswith("_")}


def _invalid(loc: list[Any], msg: str, kind: str = "value_error") -> tuple[int, dict[str, Any]]:
    return 422, {"detail": [{"loc": loc, "msg": msg, "type": kind}]}


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    # -- plumbing ------------------------------------------------------------------------------
    def _send(
        self, status: int, body: Any | None = None, headers: dict[str, str] | None = None
    ) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> Any:
        """The request body, read once (a fault answers without routing, and the unread bytes
        would otherwise be parsed as the next request on the kept-alive connection)."""
        if not hasattr(self, "_parsed_body"):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                self._parsed_body = json.loads(raw) if raw else None
            except ValueError:
                self._parsed_body = ...
        return self._parsed_body

    def _handle(self, method: str) -> None:
        state = self.server.state
        if hasattr(self, "_parsed_body"):
            del self._parsed_body  # a new request on a kept-alive connection
        self._body()
        with state.lock:
            state.requests.append((method, self.path, dict(self.headers)))
            injected = state.fail_next.pop(0) if state.fail_next else None
            if injected is None:
                injected = state._take_fault(method, self.path.split("?", 1)[0])
        if injected in ("drop", "act-then-drop"):
            if injected == "act-then-drop":
                self._route(method)
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if isinstance(injected, tuple) and injected[0] == "timeout":
            # The server acts, then answers only after the client has given up.
            self._route(method)
            time.sleep(injected[1])
            self.close_connection = True
            return
        if isinstance(injected, tuple):
            status, retry_after = injected
            self._send(status, {"detail": "injected failure"}, {"Retry-After": str(retry_after)})
            return
        if isinstance(injected, int):
            self._send(injected, {"detail": "injected failure"})
            return
        status, body = self._route(method)
        self._send(status, body)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- the API -------------------------------------------------------------------------------
    def _auth(self, method: str = "GET") -> tuple[str | None, tuple[int, Any] | None]:
        state = self.server.state
        value = self.headers.get("X-Api-Key", "")
        key = state.keys.get(value)
        if key is None and state.platform is not None:
            # A service key the stack made through the fake platform API.
            scoped = state.platform.workload_key(value)
            if scoped is not None:
                key = ApiKey(workspaces=scoped[0], writes=scoped[1])
        if key is None:
            return None, (401, {"detail": "Invalid API key"})
        tenant = self.headers.get("X-Tenant-Id")
        if not tenant:
            return None, (
                403,
                {"detail": "This API key is org-scoped and requires workspace specification"},
            )
        if tenant not in key.workspaces:
            return None, (403, {"detail": "Forbidden"})
        if not key.plan_allows_listeners:
            return None, (403, {"detail": "Your organization's plan does not allow listeners"})
        if method != "GET" and not key.writes:
            return None, (403, {"detail": "Forbidden: the key's role cannot write"})
        return tenant, None

    def _route(self, method: str) -> tuple[int, Any]:
        url = urlparse(self.path)
        parts = url.path.strip("/").split("/")
        platform = self.server.state.platform
        if platform is not None and parts[:2] == ["api", "v1"]:
            body = self._body() if method in ("POST", "PATCH") else None
            return platform.route(self.headers, method, parts, parse_qs(url.query), body)
        tenant, failure = self._auth(method)
        if failure is not None:
            return failure
        if parts[:3] == ["v1", "integrations", "github"] and method == "GET":
            return self._integrations(tenant, parts[3:])
        if parts[:2] == ["v1", "projects"] and method == "POST" and len(parts) == 6:
            return self.server.state.deployments.logs(tenant, parts, self._body())
        if parts[:2] == ["v2", "deployments"]:
            body = self._body() if method in ("POST", "PATCH") else None
            return self.server.state.deployments.route(
                tenant, method, parts, parse_qs(url.query), body
            )
        if parts[:2] != ["v2", "listeners"] or len(parts) > 3:
            return 404, {"detail": "Not Found"}
        if len(parts) == 2:
            if method == "GET":
                return self._list(tenant, parse_qs(url.query))
            if method == "POST":
                body = self._body()
                return self._checked("ListenerCreateRequest", body) or self._create(tenant, body)
            return 405, {"detail": "Method Not Allowed"}
        listener_id = parts[2]
        if not _UUID.match(listener_id):
            return _invalid(["path", "listener_id"], "Input should be a valid UUID", "uuid_parsing")
        listener = self.server.state.listeners.get(listener_id)
        if listener is None or listener["_tenant"] != tenant:
            return 404, {"detail": f"Listener ID {listener_id} not found."}
        if method == "GET":
            return 200, _public(listener)
        if method == "DELETE":
            del self.server.state.listeners[listener_id]
            return 204, None
        if method == "PATCH":
            body = self._body()
            return self._checked("ListenerPatchRequest", body) or self._patch(listener, body)
        return 405, {"detail": "Method Not Allowed"}

    def _checked(self, schema: str, body: Any) -> tuple[int, Any] | None:
        """422 (and a recorded violation) when `body` breaks the OpenAPI request schema."""
        from tests.fake_deployments import schema_check

        problem = schema_check(self.server.state.openapi, schema, body)
        if problem is None:
            return None
        self.server.state.violations.append(f"request {problem}")
        return _invalid(["body"], problem)

    def _response_checked(self, schema: str, items: list[Any]) -> tuple[int, Any]:
        """200 with `items`, each checked against the document's response schema."""
        from tests.fake_deployments import schema_check

        for item in items:
            problem = schema_check(self.server.state.openapi, schema, item)
            if problem:
                self.server.state.violations.append(f"response {problem}")
        return 200, items

    def _integrations(self, tenant: str, rest: list[str]) -> tuple[int, Any]:
        """`GET /v1/integrations/github/install` and `.../{integration_id}/repos`."""
        mine = [i for i in self.server.state.github_integrations.values() if i["_tenant"] == tenant]
        if rest == ["install"]:
            public = [{k: v for k, v in i.items() if not k.startswith("_")} for i in mine]
            return self._response_checked("GithubIntegration", public)
        if len(rest) == 2 and rest[1] == "repos":
            if not _UUID.match(rest[0]):
                return _invalid(["path", "integration_id"], "Input should be a valid UUID")
            found = next((i for i in mine if i["id"] == rest[0]), None)
            if found is None:
                return 404, {"detail": f"Integration {rest[0]} not found."}
            repos = [_repository(url, found["id"], n) for n, url in enumerate(found["_repos"])]
            return self._response_checked("GithubRepository", repos)
        return 404, {"detail": "Not Found"}

    def _list(self, tenant: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        try:
            limit = int(query.get("limit", ["10"])[0])
            offset = int(query.get("offset", ["0"])[0])
        except ValueError:
            return _invalid(["query", "limit"], "Input should be a valid integer", "int_parsing")
        if not 1 <= limit <= 100:
            return _invalid(["query", "limit"], "Input should be between 1 and 100")
        mine = [_public(x) for x in self.server.state.listeners.values() if x["_tenant"] == tenant]
        mine.sort(key=lambda x: x["created_at"])
        return 200, {"resources": mine[offset : offset + limit], "offset": offset}

    def _create(self, tenant: str, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            return _invalid(["body"], "Input should be a valid dictionary", "dict_type")
        if body.get("compute_type") != "k8s":
            return _invalid(["body", "compute_type"], "Input should be 'k8s'", "literal_error")
        compute_id = body.get("compute_id")
        if not isinstance(compute_id, str) or not compute_id:
            return _invalid(["body", "compute_id"], "Field required", "missing")
        namespaces = (body.get("compute_config") or {}).get("k8s_namespaces")
        if not isinstance(namespaces, list) or not all(isinstance(n, str) for n in namespaces):
            return _invalid(
                ["body", "compute_config", "k8s_namespaces"], "Input should be a valid list"
            )
        for existing in self.server.state.listeners.values():
            if existing["_tenant"] == tenant and existing["compute_id"] == compute_id:
                return 409, {
                    "detail": f"Listener for LangSmith workspace ID '{tenant}' and compute ID "
                    f"'{compute_id}' already exists."
                }
        return 201, _public(self.server.state.seed(tenant, compute_id, namespaces))

    def _patch(self, listener: dict[str, Any], body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict):
            return _invalid(["body"], "Input should be a valid dictionary", "dict_type")
        for immutable in ("compute_type", "compute_id"):
            if immutable in body:
                return _invalid(
                    ["body", immutable], "Extra inputs are not permitted", "extra_forbidden"
                )
        namespaces = (body.get("compute_config") or {}).get("k8s_namespaces")
        if not isinstance(namespaces, list):
            return _invalid(
                ["body", "compute_config", "k8s_namespaces"], "Input should be a valid list"
            )
        listener["compute_config"] = {"k8s_namespaces": namespaces}
        listener["version"] += 1
        listener["updated_at"] = datetime.now(UTC).isoformat()
        return 200, _public(listener)


def _repository(url: str, integration: str, number: int) -> dict[str, Any]:
    owner, name = url.removeprefix("https://github.com/").split("/", 1)
    return {
        "host_integration_id": integration,
        "id": 700_000 + number,
        "name": name,
        "owner": owner,
        "url": url,
        "default_branch": "main",
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: FakeControlPlane) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


class RunningControlPlane:
    """Context manager: the fake API on an ephemeral loopback port.

    With `tls=(certificate, key)` it serves HTTPS, as the real control plane does (the engine
    tests point a self-hosted `controlPlane` at it, and the topology accepts only https URLs).
    """

    def __init__(self, state: FakeControlPlane, tls: tuple[Path, Path] | None = None) -> None:
        self.state = state
        self._server = _Server(state)
        self._scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self._scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host}:{port}"

    def __enter__(self) -> RunningControlPlane:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
