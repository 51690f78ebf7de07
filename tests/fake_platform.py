"""A local stand-in for LangSmith's platform API: workspaces, organisation service keys, roles.

Mounted on the fake control plane's server under `/api/v1/`. Keeps state, answers as the
published document says (bodies checked against `platform-openapi.json`: a request that breaks
it gets 422 and a recorded violation, a response that breaks it is recorded), and enforces the
headers: `X-Organization-Id` for organisation calls, 403 for a key of another organisation.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fake_deployments import schema_check


def _role(number: int, name: str, display: str, permissions: list[str]) -> dict[str, Any]:
    return {
        "id": f"7d8f1c2e-0000-4000-8000-00000000000{number}",
        "name": name,
        "display_name": display,
        "description": f"{display} of a workspace",
        "permissions": permissions,
        "access_scope": "workspace",
        "is_restricted": False,
    }


# LangSmith's system workspace roles (docs: Admin, Editor, Viewer).
ROLES = [
    _role(1, "WORKSPACE_ADMIN", "Admin", ["workspaces:manage", "deployments:create"]),
    _role(2, "WORKSPACE_USER", "Editor", ["deployments:create", "projects:create"]),
    _role(3, "WORKSPACE_VIEWER", "Viewer", ["projects:read"]),
]
READ_ONLY_ROLES = {ROLES[2]["id"]}


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Platform:
    """State of one organisation; `route` is called under the server's lock."""

    organization_id: str
    admin_keys: set[str]
    openapi: dict[str, Any] | None = None
    workspaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    service_keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> key + _secret
    violations: list[str] = field(default_factory=list)

    def _response(self, status: int, name: str, body: Any) -> tuple[int, Any]:
        problem = schema_check(self.openapi, name, body)
        if problem:
            self.violations.append(f"response {problem}")
        return status, body

    def _responses(self, name: str, items: list[Any]) -> tuple[int, Any]:
        for item in items:
            self._response(200, name, item)
        return 200, items

    def _request(self, name: str, body: Any) -> tuple[int, Any] | None:
        problem = schema_check(self.openapi, name, body)
        if problem is None:
            return None
        self.violations.append(f"request {problem}")
        return 422, {"detail": [{"loc": ["body"], "msg": problem, "type": "value_error"}]}

    def route(
        self,
        headers: Any,
        method: str,
        parts: list[str],
        query: dict[str, list[str]],
        body: Any,
    ) -> tuple[int, Any]:
        if headers.get("X-Api-Key", "") not in self.admin_keys:
            return 401, {"detail": "Invalid API key"}
        tenant_call = method in ("PATCH", "DELETE") and parts[2:3] == ["workspaces"]
        if not tenant_call and headers.get("X-Organization-Id") != self.organization_id:
            return 403, {"detail": "Forbidden: not a member of this organization"}
        path = parts[2:]
        if path == ["workspaces"]:
            if method == "GET":
                live = [w for w in self.workspaces.values() if not w["is_deleted"]]
                return self._responses("TenantForUser", live)
            if method == "POST":
                return self._request("WorkspaceCreate", body) or self._create_workspace(body)
        if path[:1] == ["workspaces"] and len(path) == 2:
            workspace = self.workspaces.get(path[1])
            if workspace is None or workspace["is_deleted"]:
                return 404, {"detail": "Workspace not found"}
            if method in ("PATCH", "DELETE") and headers.get("X-Tenant-Id") != path[1]:
                # Workspace-scoped calls (security: API Key + Tenant ID in the document).
                return 403, {
                    "detail": "This API key is org-scoped and requires workspace specification"
                }
            if method == "GET":
                return self._response(200, "app__schemas__Tenant", workspace)
            if method == "PATCH":
                problem = self._request("WorkspacePatch", body)
                if problem:
                    return problem
                workspace["display_name"] = body.get("display_name", workspace["display_name"])
                return self._response(200, "app__schemas__Tenant", workspace)
            if method == "DELETE":
                workspace["is_deleted"] = True
                return 200, None
        if path == ["orgs", "current", "service-keys"]:
            if method == "GET":
                wanted = set(query.get("workspace_ids", []))
                keys = [
                    self._public(k)
                    for k in self.service_keys.values()
                    if not wanted or wanted & set(k["_workspaces"])
                ]
                return self._responses("APIKeyGetResponse", keys)
            if method == "POST":
                return self._request("APIKeyCreateRequest", body) or self._create_key(body)
        service_key = path[:3] == ["orgs", "current", "service-keys"] and len(path) == 4
        if service_key and method == "DELETE":
            if self.service_keys.pop(path[3], None) is None:
                return 404, {"detail": "API key not found"}
            return 200, None
        if path == ["orgs", "current", "roles"] and method == "GET":
            return self._responses("Role", ROLES)
        return 404, {"detail": "Not Found"}

    def _create_workspace(self, body: dict[str, Any]) -> tuple[int, Any]:
        handle = body.get("tenant_handle")
        if handle is not None and any(
            w["tenant_handle"] == handle and not w["is_deleted"] for w in self.workspaces.values()
        ):
            return 409, {"detail": f"Workspace handle '{handle}' is already taken"}
        workspace = {
            "id": str(uuid.uuid4()),
            "organization_id": self.organization_id,
            "created_at": _now(),
            "display_name": body["display_name"],
            "is_personal": False,
            "is_deleted": False,
            "tenant_handle": handle,
            "data_plane_url": None,
        }
        self.workspaces[workspace["id"]] = workspace
        return self._response(200, "app__schemas__Tenant", workspace)

    def _create_key(self, body: dict[str, Any]) -> tuple[int, Any]:
        scope = body.get("workspaces") or []
        for workspace_id in scope:
            if workspace_id not in self.workspaces:
                return 422, {
                    "detail": [
                        {"loc": ["body", "workspaces"], "msg": "unknown workspace", "type": "x"}
                    ]
                }
        if body.get("role_id") and body["role_id"] not in {r["id"] for r in ROLES}:
            return 422, {"detail": [{"loc": ["body", "role_id"], "msg": "no role", "type": "x"}]}
        value = f"lsv2_sk_{secrets.token_hex(16)}_{secrets.token_hex(5)}"
        key = {
            "id": str(uuid.uuid4()),
            "short_key": value[:12] + "...",
            "description": body.get("description", ""),
            "read_only": bool(body.get("read_only", False)),
            "created_at": _now(),
            "last_used_at": None,
            "expires_at": body.get("expires_at"),
            "workspace_names": [self.workspaces[w]["display_name"] for w in scope],
            "default_workspace_name": None,
            "role_id": body.get("role_id"),
            "org_role_id": body.get("org_role_id"),
            "access_scope": "workspace" if scope else "organization",
            "_workspaces": list(scope),
            "_secret": value,
        }
        self.service_keys[key["id"]] = key
        return self._response(200, "APIKeyCreateResponse", {**self._public(key), "key": value})

    @staticmethod
    def _public(key: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in key.items() if not k.startswith("_")}

    def workload_key(self, value: str) -> tuple[set[str], bool] | None:
        """The workspaces a service key's value opens, and whether its role may write; None
        for a value no key has (the control plane's fake asks)."""
        for key in self.service_keys.values():
            if key["_secret"] == value:
                return set(key["_workspaces"]), key.get("role_id") not in READ_ONLY_ROLES
        return None
