"""`/v2/deployments`: Agent Server deployments a listener runs (`source: external_docker`).

Natural key: the deployment's name, unique per workspace. `ensure` finds it first and adopts it,
so a create whose response was lost is never repeated. Request bodies follow the published
OpenAPI document (the tests check every one). Values that are secrets never travel: the store
URIs and the `secretEnv` values are `secret_references` to Kubernetes Secrets in the
deployment's namespace; only plain `env` goes as `secrets`.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from langsmith_dataplane.api.transport import ApiError, ConflictError, NotFoundError, Transport

SOURCE = "external_docker"  # hybrid and self-hosted control planes run images you built
DONE = frozenset({"DEPLOYED", "SKIPPED"})  # SKIPPED: nothing to roll out, the revision is live
FAILED = frozenset({"CREATE_FAILED", "BUILD_FAILED", "DEPLOY_FAILED", "INTERRUPTED"})
GOING = "AWAITING_DELETE"  # a deleted deployment, until the operator has removed it
RETRYABLE = frozenset({429, 500, 502, 503, 504})


class RevisionFailedError(ApiError):
    pass


@dataclass(frozen=True)
class DeploymentBody:
    """What the topology says about one deployment, in the API's terms."""

    name: str
    listener_id: str
    namespace: str
    image: str
    env: Mapping[str, str] = field(default_factory=dict)  # plain values only
    secret_references: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    resource_spec: Mapping[str, Any] | None = None
    custom_url: str | None = None

    @classmethod
    def from_props(cls, props: Mapping[str, Any]) -> DeploymentBody:
        """From the `AgentDeployment` resource's inputs: the provider and `render` share it, so
        what `render` shows is exactly the request `pulumi up` sends."""
        return cls(
            name=props["name"],
            listener_id=props["listener_id"],
            namespace=props["namespace"],
            image=props["image"],
            env=dict(props.get("env") or {}),
            secret_references={
                ref["name"]: (ref["secret_name"], ref["secret_key"])
                for ref in props.get("secret_references") or []
            },
            resource_spec=props.get("resource_spec") or None,
            custom_url=props.get("custom_url") or None,
        )

    def secrets(self) -> list[dict[str, str]]:
        return [{"name": k, "value": v} for k, v in sorted(self.env.items())]

    def references(self) -> list[dict[str, str]]:
        return [
            {"name": name, "secret_name": secret, "secret_key": key}
            for name, (secret, key) in sorted(self.secret_references.items())
        ]

    def source_config(self, *, create: bool) -> dict[str, Any]:
        """On create, only what is set; on update, every mutable field, so that removing one
        from the topology resets it in LangSmith (an empty resource spec restores the
        defaults, an empty custom URL removes it)."""
        config: dict[str, Any] = {}
        if create:  # fixed after creation
            config["listener_id"] = self.listener_id
            config["listener_config"] = {"k8s_namespace": self.namespace}
            if self.custom_url:
                config["custom_url"] = self.custom_url
            if self.resource_spec:
                config["resource_spec"] = dict(self.resource_spec)
            return config
        config["custom_url"] = self.custom_url or ""
        config["resource_spec"] = dict(self.resource_spec or {})
        return config

    def create_body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": SOURCE,
            "source_config": self.source_config(create=True),
            "source_revision_config": {"image_uri": self.image},
            "secrets": self.secrets(),
            "secret_references": self.references(),
        }

    def adoption_problem(self, existing: DeploymentRecord) -> str | None:
        """Why a deployment found by this name is not this one (None: adopt it)."""
        if existing.listener_id not in (None, self.listener_id) or existing.namespace not in (
            None,
            self.namespace,
        ):
            return (
                f"for listener {existing.listener_id} in namespace {existing.namespace}, not "
                f"{self.listener_id}/{self.namespace}"
            )
        return None

    def update_body(self, old: DeploymentBody | None = None) -> dict[str, Any]:
        """What changed since `old` (everything without it, as when adopting): each of these
        fields in a PATCH makes a new revision, so unchanged ones are left out."""
        body: dict[str, Any] = {}
        if old is None or old.image != self.image:
            body["source_revision_config"] = {"image_uri": self.image}
        if old is None or dict(old.env) != dict(self.env):
            body["secrets"] = self.secrets()
        if old is None or dict(old.secret_references) != dict(self.secret_references):
            body["secret_references"] = self.references()
        if (
            old is None
            or (old.resource_spec or {}) != (self.resource_spec or {})
            or (old.custom_url or "") != (self.custom_url or "")
        ):
            body["source_config"] = self.source_config(create=False)
        return body


@dataclass(frozen=True)
class DeploymentRecord:
    id: str
    name: str
    latest_revision_id: str | None
    image: str | None
    listener_id: str | None
    namespace: str | None
    status: str | None = None
    source: str | None = None
    repo_url: str | None = None
    repo_ref: str | None = None
    custom_url: str | None = None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> DeploymentRecord:
        source = body.get("source_config") or {}
        revision = body.get("source_revision_config") or {}
        return cls(
            id=str(body["id"]),
            name=str(body.get("name", "")),
            latest_revision_id=body.get("latest_revision_id"),
            image=revision.get("image_uri"),
            listener_id=source.get("listener_id"),
            namespace=(source.get("listener_config") or {}).get("k8s_namespace"),
            status=body.get("status"),
            source=body.get("source"),
            repo_url=source.get("repo_url"),
            repo_ref=revision.get("repo_ref"),
            custom_url=source.get("custom_url"),
        )


class RequestBody(Protocol):
    """A deployment as the topology says it, for any source (`DeploymentBody` for a listener's
    image, `GithubDeploymentBody` for Cloud SaaS)."""

    @property
    def name(self) -> str: ...

    def create_body(self) -> dict[str, Any]: ...

    def update_body(self) -> dict[str, Any]: ...

    def adoption_problem(self, existing: DeploymentRecord) -> str | None: ...


@dataclass
class DeploymentsClient:
    """`poll` and `wait_timeout` bound the waits for a revision and for a deletion."""

    transport: Transport
    poll: float = 5.0
    wait_timeout: float = 900.0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @staticmethod
    def _path(deployment_id: str, *rest: str) -> str:
        parts = [urllib.parse.quote(p, safe="") for p in (deployment_id, *rest)]
        return "/v2/deployments/" + "/".join(parts)

    def create(self, spec: RequestBody) -> DeploymentRecord:
        response = self.transport.request("POST", "/v2/deployments", spec.create_body())
        action = f"creating deployment '{spec.name}'"
        return DeploymentRecord.from_json(self.transport.expect(response, 200, 201, action=action))

    def get(self, deployment_id: str) -> DeploymentRecord:
        response = self.transport.request("GET", self._path(deployment_id))
        action = f"reading deployment {deployment_id}"
        return DeploymentRecord.from_json(self.transport.expect(response, 200, action=action))

    def patch(self, deployment_id: str, body: dict[str, Any]) -> DeploymentRecord:
        response = self.transport.request("PATCH", self._path(deployment_id), body)
        action = f"updating deployment {deployment_id}"
        return DeploymentRecord.from_json(self.transport.expect(response, 200, action=action))

    def delete(self, deployment_id: str, *, wait: bool = True) -> bool:
        """Delete, then wait until it is gone: the operator removes the Agent Server while the
        deployment is AWAITING_DELETE, and the listener must outlive that. False if the DELETE
        found nothing (404): gone, or already being deleted by a run that was killed, so the
        wait still reads it until it is gone."""
        action = f"deleting deployment {deployment_id}"
        deleted = self.transport.delete(self._path(deployment_id), action=action)
        if wait:
            self._wait_gone(deployment_id)
        return deleted

    def _wait_gone(self, deployment_id: str) -> None:
        deadline = self.clock() + self.wait_timeout
        while True:
            try:
                status = self.get(deployment_id).status
            except NotFoundError:
                return
            if self.clock() >= deadline:
                raise ApiError(
                    f"deployment {deployment_id} is still {status or 'present'} "
                    f"{self.wait_timeout:.0f} s after its deletion; check the listener's "
                    "operator, then run `pulumi up` (or `destroy`) again"
                )
            self.sleep(self.poll)

    def list(self, name_contains: str) -> Iterator[DeploymentRecord]:
        items = self.transport.paginate(
            "/v2/deployments", {"name_contains": name_contains}, action="listing deployments"
        )
        return (DeploymentRecord.from_json(item) for item in items)

    def find(self, name: str) -> DeploymentRecord | None:
        """The deployment called exactly `name` (`name_contains` also matches longer names)."""
        return next((d for d in self.list(name) if d.name == name), None)

    def ensure(self, spec: RequestBody) -> tuple[DeploymentRecord, bool]:
        """Create the deployment, or adopt the one with this name. Returns it and whether it was
        adopted; an adopted deployment is brought in line with the topology."""
        existing = self.find(spec.name)
        if existing is None:
            try:
                return self.create(spec), False
            except ConflictError:  # made meanwhile, or by a retried POST whose answer was lost
                existing = self.find(spec.name)
                if existing is None:
                    raise
        problem = spec.adoption_problem(existing)
        if problem:
            raise ApiError(
                f"deployment '{spec.name}' exists {problem}: rename it in the topology or "
                "delete it in LangSmith"
            )
        return self.patch(existing.id, spec.update_body()), True

    def revision_status(self, deployment_id: str, revision_id: str) -> tuple[str, str]:
        path = self._path(deployment_id, "revisions", revision_id)
        action = f"reading revision {revision_id}"
        body = self.transport.expect(self.transport.request("GET", path), 200, action=action)
        return str(body.get("status", "UNKNOWN")), str(body.get("status_message") or "")

    def wait_until_deployed(self, deployment: DeploymentRecord) -> str:
        """Poll the latest revision until it is live; fail on a failed status or at the
        deadline. Rate limits and server errors while waiting only delay the next poll."""
        revision = deployment.latest_revision_id
        if not revision:
            raise ApiError(f"deployment '{deployment.name}' has no revision to wait for")
        deadline = self.clock() + self.wait_timeout
        status, message = "UNKNOWN", ""
        while True:
            try:
                status, message = self.revision_status(deployment.id, revision)
            except ApiError as exc:
                if exc.status not in RETRYABLE:
                    raise
                message = str(exc)
            if status in DONE:
                return status
            if status in FAILED:
                detail = f": {message}" if message else ""
                raise RevisionFailedError(
                    f"deployment '{deployment.name}' revision {revision} ended {status}{detail}"
                )
            if self.clock() >= deadline:
                detail = f" ({message})" if message else ""
                raise ApiError(
                    f"deployment '{deployment.name}' revision {revision} is still {status} after "
                    f"{self.wait_timeout:.0f} s{detail} (waitForRevisions false skips the wait)"
                )
            self.sleep(self.poll)
