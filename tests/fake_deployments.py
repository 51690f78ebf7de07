"""The `/v2/deployments` half of the local fake control plane, faithful to the OpenAPI document
and to how the service behaves (`shared/reference/langsmith-api-behaviour.md`, each behaviour
below naming its row: "behaviour: ...").

Every request body is validated against the document's request schema (a violation answers 422
and is recorded in `state.violations`, which the tests assert empty), and every response body
against its response schema. Revisions move one step per read: QUEUED -> DEPLOYING -> DEPLOYED
for an image, QUEUED -> AWAITING_BUILD -> BUILDING -> DEPLOYING -> DEPLOYED for a GitHub build.
`state.revision_outcomes` (by image or ref) changes that: `(status, log line)` fails the
revision with that status, its reason only in the build or deploy logs (a revision has no
status message); "interrupted" passes through INTERRUPTED, which still progresses; "stuck"
never moves (the wait's deadline). A new revision while one is in progress supersedes it
(SKIPPED).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import jsonschema

_UUID_MSG = ("Input should be a valid UUID", "uuid_parsing")
PROGRESS = {"QUEUED": "DEPLOYING", "DEPLOYING": "DEPLOYED", "INTERRUPTED": "DEPLOYING"}
BUILD_PROGRESS = {
    "QUEUED": "AWAITING_BUILD",
    "AWAITING_BUILD": "BUILDING",
    "BUILDING": "DEPLOYING",
    "DEPLOYING": "DEPLOYED",
    "INTERRUPTED": "BUILDING",
}
IN_PROGRESS = frozenset({"QUEUED", "AWAITING_BUILD", "BUILDING", "DEPLOYING", "INTERRUPTED"})


def schema_check(openapi: dict[str, Any] | None, name: str, body: Any) -> str | None:
    """The first violation of `body` against `#/components/schemas/<name>`, or None."""
    if openapi is None:
        return None
    schema = {"$ref": f"#/components/schemas/{name}", "components": openapi["components"]}
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    error = next(iter(validator.iter_errors(body)), None)
    return None if error is None else f"{name}: {'.'.join(map(str, error.path))}: {error.message}"


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Deployments:
    """Deployments and revisions of every tenant; the handler calls `route` under the lock."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.items: dict[str, dict[str, Any]] = {}
        self.revisions: dict[str, dict[str, Any]] = {}

    # -- plumbing ------------------------------------------------------------------------------
    def _checked(self, status: int, name: str, body: Any) -> tuple[int, Any]:
        problem = schema_check(self.state.openapi, name, body)
        if problem:
            self.state.violations.append(f"response {problem}")
        return status, body

    def _request_ok(self, name: str, body: Any) -> tuple[int, Any] | None:
        problem = schema_check(self.state.openapi, name, body)
        if problem is None:
            return None
        self.state.violations.append(f"request {problem}")
        return 422, {"detail": [{"loc": ["body"], "msg": problem, "type": "value_error"}]}

    def _public(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in item.items() if not k.startswith("_")}

    def _revision(self, deployment: dict[str, Any]) -> str:
        """A new revision of the deployment's current source revision config; its outcome is
        looked up by image (hybrid) or ref (GitHub)."""
        revision_id = str(uuid.uuid4())
        config = dict(deployment["source_revision_config"])
        outcome = self.state.revision_outcomes.get(
            config.get("image_uri") or config.get("repo_ref")
        )
        # behaviour: "SKIPPED (the revision was superseded by a newer one)".
        for older in self.revisions_of(deployment["id"]):
            if older["status"] in IN_PROGRESS:
                older["status"] = "SKIPPED"
        self.revisions[revision_id] = {
            "id": revision_id,
            "created_at": _now(),
            "updated_at": _now(),
            "status": "QUEUED",
            "source": deployment["source"],
            "source_revision_config": config,
            "_deployment": deployment["id"],
            "_outcome": outcome,
            "_interrupted": False,
            "_logs": [],
        }
        deployment["latest_revision_id"] = revision_id
        return revision_id

    def revisions_of(self, deployment_id: str) -> list[dict[str, Any]]:
        """The deployment's revisions, oldest first (tests count them)."""
        return [r for r in self.revisions.values() if r["_deployment"] == deployment_id]

    # -- routes -----------------------------------------------------------------------------
    def route(
        self, tenant: str, method: str, parts: list[str], query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        if len(parts) == 2:
            if method == "GET":
                return self._list(tenant, query)
            if method == "POST":
                return self._create(tenant, body)
            return 405, {"detail": "Method Not Allowed"}
        deployment_id = parts[2]
        try:
            uuid.UUID(deployment_id)
        except ValueError:
            return 422, {"detail": [{"loc": ["path", "deployment_id"], "msg": _UUID_MSG[0]}]}
        item = self.items.get(deployment_id)
        if item is None or item["tenant_id"] != tenant:
            return 404, {"detail": f"Deployment ID {deployment_id} not found."}
        if len(parts) == 5 and parts[3] == "revisions" and method == "GET":
            return self._read_revision(item, parts[4])
        if len(parts) != 3:
            return 404, {"detail": "Not Found"}
        if method == "GET":
            if item["status"] == "AWAITING_DELETE":
                # The operator removes the Agent Server; reads see it going, then 404.
                item["_polls_left"] -= 1
                if item["_polls_left"] < 0:
                    del self.items[deployment_id]
                    return 404, {"detail": f"Deployment ID {deployment_id} not found."}
            return self._checked(200, "Deployment", self._public(item))
        if method == "DELETE":
            if item["status"] == "AWAITING_DELETE":
                return 404, {"detail": f"Deployment ID {deployment_id} not found."}
            item["status"] = "AWAITING_DELETE"
            item["_polls_left"] = self.state.delete_polls
            return 204, None
        if method == "PATCH":
            return self._patch(item, body)
        return 405, {"detail": "Method Not Allowed"}

    def _list(self, tenant: str, query: dict[str, list[str]]) -> tuple[int, Any]:
        limit = int(query.get("limit", ["20"])[0])
        offset = int(query.get("offset", ["0"])[0])
        if not 1 <= limit <= 100 or offset < 0:
            return 422, {"detail": [{"loc": ["query", "limit"], "msg": "out of range"}]}
        contains = query.get("name_contains", [""])[0]
        mine = [
            self._public(d)
            for d in sorted(self.items.values(), key=lambda d: d["created_at"])
            if d["tenant_id"] == tenant and contains in d["name"]
        ]
        page = mine[offset : offset + limit]
        return self._checked(200, "DeploymentsList", {"resources": page, "offset": offset})

    def _create(self, tenant: str, body: Any) -> tuple[int, Any]:
        invalid = self._request_ok("DeploymentCreateRequest", body)
        if invalid:
            return invalid
        if any(d["name"] == body["name"] and d["tenant_id"] == tenant for d in self.items.values()):
            # behaviour: "A duplicate deployment name is refused with 400/422 ... no 409".
            return 400, {"detail": f"Deployment with name '{body['name']}' already exists."}
        config = dict(body["source_config"] or {})
        if body["source"] == "github":
            problem = self._github_problem(tenant, config, body["source_revision_config"])
            if problem:
                return problem
            # LangSmith sets the URL of a GitHub deployment (read-only).
            config["custom_url"] = f"https://{body['name']}-{uuid.uuid4().hex[:8]}.us.langgraph.app"
        else:
            listener = config.get("listener_id")
            if listener not in self.state.listeners:
                return 400, {"detail": f"Listener ID {listener} not found."}
        now = _now()
        item = {
            "name": body["name"],
            "source": body["source"],
            "source_config": config,
            "source_revision_config": body["source_revision_config"],
            "secrets": body["secrets"],
            "secret_references": body.get("secret_references"),
            "id": str(uuid.uuid4()),
            "tenant_id": tenant,
            "created_at": now,
            "updated_at": now,
            "status": "AWAITING_DATABASE",
            "latest_revision_id": None,
            "active_revision_id": None,
        }
        self.items[item["id"]] = item
        self._revision(item)
        return self._checked(201, "Deployment", self._public(item))

    def _github_problem(
        self, tenant: str, config: dict[str, Any], revision: dict[str, Any]
    ) -> tuple[int, Any] | None:
        """What the API refuses in a GitHub source: an unknown integration or repository, no
        `langgraph_config_path` on create, build-on-push with a tag."""
        integration = self.state.github_integrations.get(config.get("integration_id"))
        if integration is None or integration["_tenant"] != tenant:
            return 400, {"detail": f"Integration {config.get('integration_id')} not found."}
        if config.get("repo_url") not in integration["_repos"]:
            return 400, {"detail": f"Repository {config.get('repo_url')} not accessible."}
        if not revision.get("langgraph_config_path"):
            return 422, {"detail": "langgraph_config_path is required for github source."}
        if str(revision.get("repo_ref") or "").startswith("refs/tags/") and config.get(
            "build_on_push"
        ):
            return 422, {"detail": "build_on_push cannot be enabled for a tag."}
        return None

    def _patch(self, item: dict[str, Any], body: Any) -> tuple[int, Any]:
        invalid = self._request_ok("DeploymentPatchRequest", body)
        if invalid:
            return invalid
        config = body.get("source_config") or {}
        immutable = {"listener_id", "listener_config", "integration_id", "repo_url"}
        immutable.add("deployment_type")
        fixed = immutable & {k for k, v in config.items() if v}
        if fixed:
            return 400, {"detail": f"{', '.join(sorted(fixed))} cannot be changed."}
        if item["source"] == "github" and config.get("custom_url"):
            return 400, {"detail": "custom_url is read-only for github source."}
        new_revision = False
        if body.get("source_revision_config"):
            given = {k: v for k, v in body["source_revision_config"].items() if v is not None}
            item["source_revision_config"] = {**item["source_revision_config"], **given}
            new_revision = True
        # behaviour: "`secrets` on PATCH replaces the whole environment; an EMPTY list on
        # update is treated by the service as 'unchanged'".
        if body.get("secrets"):
            item["secrets"] = body["secrets"]
            new_revision = True
        if body.get("secret_references") is not None:
            # behaviour: "`secret_references: []` removes every reference; leaving the field
            # out keeps them."
            item["secret_references"] = body["secret_references"]
        # behaviour: "`custom_url`, `display_name` and `build_on_push` cannot be cleared once
        # set; null does not clear a field." `resource_spec` replaces the whole object.
        config = {
            k: v
            for k, v in config.items()
            if not (v in (None, "") and item["source_config"].get(k))
        }
        if config:
            item["source_config"] = {**item["source_config"], **config}
        if new_revision:
            self._revision(item)
        item["updated_at"] = _now()
        return self._checked(200, "Deployment", self._public(item))

    def _read_revision(self, item: dict[str, Any], revision_id: str) -> tuple[int, Any]:
        revision = self.revisions.get(revision_id)
        if revision is None or revision["_deployment"] != item["id"]:
            return 404, {"detail": f"Revision ID {revision_id} not found."}
        outcome = revision["_outcome"]
        status = revision["status"]
        progress = BUILD_PROGRESS if revision["source"] == "github" else PROGRESS
        if outcome == "stuck" or status not in progress:
            pass
        elif outcome == "interrupted" and status == "DEPLOYING" and not revision["_interrupted"]:
            # behaviour: "`INTERRUPTED` and `UNKNOWN` can still progress: keep waiting".
            revision["status"], revision["_interrupted"] = "INTERRUPTED", True
        elif isinstance(outcome, tuple) and status == "DEPLOYING":
            # behaviour: "A revision object has no status message": the reason is in its logs.
            revision["status"] = outcome[0]
            revision["_logs"] = [f"step {n}: ok" for n in range(1, 4)] + [outcome[1]]
        else:
            revision["status"] = progress[status]
        if revision["status"] == "DEPLOYED":
            item["active_revision_id"], item["status"] = revision_id, "READY"
        public = {k: v for k, v in revision.items() if not k.startswith("_")}
        return self._checked(200, "Revision", public)

    def logs(self, tenant: str, parts: list[str], body: Any) -> tuple[int, Any]:
        """`POST /v1/projects/{deployment}/revisions/{revision}/{build_logs|deploy_logs}` with
        `{order, limit, offset}` -> `{logs: [{timestamp, message}], next_offset}` (langgraph-cli
        `host_backend.get_build_logs`/`get_deploy_logs`; outside the OpenAPI subset)."""
        item = self.items.get(parts[2])
        revision = self.revisions.get(parts[4]) if len(parts) == 6 else None
        if item is None or item["tenant_id"] != tenant or revision is None:
            return 404, {"detail": "Not Found"}
        lines = list(revision["_logs"])
        if isinstance(body, dict) and body.get("order") == "desc":
            lines.reverse()
        limit = int(body.get("limit", 50)) if isinstance(body, dict) else 50
        return 200, {
            "logs": [{"timestamp": _now(), "message": line} for line in lines[:limit]],
            "next_offset": None,
        }
