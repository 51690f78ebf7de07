"""A local stand-in for LangSmith's platform API: workspaces, organisation service keys, roles.

Mounted on the fake control plane's server under `/api/v1/`. Keeps state, answers as the
published document says (bodies checked against `platform-openapi.json`: a request that breaks
it gets 422 and a recorded violation, a response that breaks it is recorded), and enforces the
headers: `X-Organization-Id` for organisation calls, 403 for a key of another organisation.

Each behaviour beyond the document names its row of `shared/reference/langsmith-api-behaviour.md`
("behaviour: <row>"): a contract, not a mirror of our client. `tests/api/test_fake_contract.py`
holds each row to a test that fails against a fake that behaves otherwise.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fake_deployments import schema_check


def _role(
    number: int, name: str, display: str, permissions: list[str], scope: str = "workspace"
) -> dict[str, Any]:
    return {
        "id": f"7d8f1c2e-0000-4000-8000-00000000000{number}",
        "name": name,
        "display_name": display,
        "description": f"{display} of {'a workspace' if scope == 'workspace' else 'the org'}",
        "permissions": permissions,
        "access_scope": scope,
        "is_restricted": False,
    }


# behaviour: "`GET /orgs/current/roles` returns organisation roles AND workspace roles; pick by
# `access_scope`". LangSmith's system workspace roles (docs: Admin, Editor, Viewer), and its
# organisation roles, one of which shares a display name with a workspace role.
WORKSPACE_ROLES = [
    _role(1, "WORKSPACE_ADMIN", "Admin", ["workspaces:manage", "deployments:create"]),
    _role(2, "WORKSPACE_USER", "Editor", ["deployments:create", "projects:create"]),
    _role(3, "WORKSPACE_VIEWER", "Viewer", ["projects:read"]),
]
ORGANIZATION_ROLES = [
    _role(4, "ORGANIZATION_ADMIN", "Organization Admin", ["organization:manage"], "organization"),
    _role(5, "ORGANIZATION_USER", "Organization User", ["organization:read"], "organization"),
    _role(6, "ORGANIZATION_VIEWER", "Viewer", ["organization:read"], "organization"),
]
ROLES = [*ORGANIZATION_ROLES, *WORKSPACE_ROLES]
READ_ONLY_ROLES = {WORKSPACE_ROLES[2]["id"]}


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
    # behaviour: "`workspaces` is feature-flagged: check what scope the answer grants". Off:
    # the service ignores `workspaces` and makes an organisation-wide key.
    scopes_keys_to_workspaces: bool = True

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
                # behaviour: "Read is a list with `include_deleted=true` (`is_deleted` means gone)"
                deleted = query.get("include_deleted", ["false"])[0] == "true"
                listed = [w for w in self.workspaces.values() if deleted or not w["is_deleted"]]
                return self._responses("TenantForUser", listed)
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
        if service_key and method == "PATCH":
            return self._request("APIKeyUpdateRequest", body) or self._update_key(path[3], body)
        if path == ["orgs", "current", "roles"] and method == "GET":
            return self._responses("Role", ROLES)
        return 404, {"detail": "Not Found"}

    def _create_workspace(self, body: dict[str, Any]) -> tuple[int, Any]:
        handle = body.get("tenant_handle")
        if handle is not None and any(
            w["tenant_handle"] == handle and not w["is_deleted"] for w in self.workspaces.values()
        ):
            return 409, {"detail": f"Workspace handle '{handle}' is already taken"}
        # behaviour: "`tenant_handle` and `id` are create-only" (TF: "Leave unset to let
        # LangSmith generate one"); an id once used, deleted or not, is never given again.
        chosen = body.get("id")
        if chosen is not None and chosen in self.workspaces:
            return 409, {"detail": f"Workspace {chosen} already exists"}
        # behaviour: "`display_name` is not unique": a second workspace of that name is made.
        workspace = {
            "id": chosen or str(uuid.uuid4()),
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
        for deprecated in ("read_only", "default_workspace_id"):
            # behaviour: "Do not send `read_only` (deprecated) or `default_workspace_id`
            # (personal tokens only)": a client that sends them is recorded as breaking it.
            if deprecated in body:
                self.violations.append(f"request APIKeyCreateRequest: {deprecated} sent")
        scope = body.get("workspaces") or []
        for workspace_id in scope:
            if workspace_id not in self.workspaces:
                return 422, {
                    "detail": [
                        {"loc": ["body", "workspaces"], "msg": "unknown workspace", "type": "x"}
                    ]
                }
        if not self.scopes_keys_to_workspaces:
            scope = []  # the flag is off: `workspaces` is ignored, the key is org-wide
        # behaviour: "A key's workspace `role_id` must be a workspace role; omitted, the service
        # defaults to Workspace Admin."
        role_id = body.get("role_id") or (WORKSPACE_ROLES[0]["id"] if scope else None)
        if role_id and role_id not in {r["id"] for r in WORKSPACE_ROLES}:
            return 422, {
                "detail": [{"loc": ["body", "role_id"], "msg": "not a workspace role", "type": "x"}]
            }
        if body.get("org_role_id") and body["org_role_id"] not in {
            r["id"] for r in ORGANIZATION_ROLES
        }:
            return 422, {
                "detail": [{"loc": ["body", "org_role_id"], "msg": "not an org role", "type": "x"}]
            }
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
            "role_id": role_id if scope else None,
            "org_role_id": None
            if scope
            else (body.get("org_role_id") or ORGANIZATION_ROLES[1]["id"]),
            "access_scope": "workspace" if scope else "organization",
            "_workspaces": list(scope),
            "_secret": value,
        }
        self.service_keys[key["id"]] = key
        return self._response(200, "APIKeyCreateResponse", {**self._public(key), "key": value})

    def _update_key(self, key_id: str, body: dict[str, Any]) -> tuple[int, Any]:
        """behaviour: "`role_id` and `org_role_id` change in place with PATCH": the same value
        keeps working with the new role."""
        key = self.service_keys.get(key_id)
        if key is None:
            return 404, {"detail": "API key not found"}
        if body.get("role_id") is not None:
            if key["access_scope"] != "workspace" or body["role_id"] not in {
                r["id"] for r in WORKSPACE_ROLES
            }:
                return 400, {"detail": "role_id must be a workspace role of a workspace key"}
            key["role_id"] = body["role_id"]
        if body.get("org_role_id") is not None:
            if key["access_scope"] != "organization":
                return 400, {"detail": "org_role_id applies to org-scoped keys only"}
            key["org_role_id"] = body["org_role_id"]
        return self._response(200, "APIKeyGetResponse", self._public(key))

    @staticmethod
    def _public(key: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in key.items() if not k.startswith("_")}

    def workload_key(self, value: str) -> tuple[set[str], bool] | None:
        """The workspaces a service key's value opens, and whether its role may write; None
        for a value no key has (the control plane's fake asks)."""
        for key in self.service_keys.values():
            if key["_secret"] == value:
                if key["access_scope"] == "organization":  # every workspace of the org
                    return set(self.workspaces), True
                return set(key["_workspaces"]), key.get("role_id") not in READ_ONLY_ROLES
        return None
