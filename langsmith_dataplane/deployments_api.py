"""The deployment half of the LangSmith control plane API (`/v2/deployments`).

Same transport, headers, retries and error messages as the listener client; standard library
only, since it runs inside Pulumi's dynamic-provider process. Request bodies follow the
published OpenAPI document (the tests validate every one against it). Secret values are sent
only in `secrets`; backing-store URIs never leave the cluster: they are `secret_references` to
the Kubernetes Secret the stack writes in the deployment's namespace.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from langsmith_dataplane.control_plane_api import (
    PAGE_SIZE,
    ControlPlaneClient,
    ControlPlaneError,
    error_detail,
)

SOURCE = "external_docker"  # hybrid and self-hosted control planes run images you built
DONE = "DEPLOYED"
FAILED = frozenset({"CREATE_FAILED", "BUILD_FAILED", "DEPLOY_FAILED", "INTERRUPTED", "SKIPPED"})


class DeploymentNotFoundError(ControlPlaneError):
    pass


class RevisionFailedError(ControlPlaneError):
    pass


@dataclass(frozen=True)
class DeploymentSpec:
    """What the topology says about one deployment, in the API's terms."""

    name: str
    listener_id: str
    namespace: str
    image: str
    env: Mapping[str, str] = field(default_factory=dict)  # plain and secret values alike
    secret_references: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    resource_spec: Mapping[str, Any] | None = None
    custom_url: str | None = None

    def secrets(self) -> list[dict[str, str]]:
        return [{"name": k, "value": v} for k, v in sorted(self.env.items())]

    def references(self) -> list[dict[str, str]]:
        return [
            {"name": name, "secret_name": secret, "secret_key": key}
            for name, (secret, key) in sorted(self.secret_references.items())
        ]

    def source_config(self, *, create: bool) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if create:  # fixed after creation
            config["listener_id"] = self.listener_id
            config["listener_config"] = {"k8s_namespace": self.namespace}
        if self.custom_url:
            config["custom_url"] = self.custom_url
        if self.resource_spec:
            config["resource_spec"] = dict(self.resource_spec)
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


@dataclass(frozen=True)
class Deployment:
    id: str
    name: str
    latest_revision_id: str | None
    image: str | None
    listener_id: str | None
    namespace: str | None

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> Deployment:
        source = body.get("source_config") or {}
        revision = body.get("source_revision_config") or {}
        return cls(
            id=str(body["id"]),
            name=str(body.get("name", "")),
            latest_revision_id=body.get("latest_revision_id"),
            image=revision.get("image_uri"),
            listener_id=source.get("listener_id"),
            namespace=(source.get("listener_config") or {}).get("k8s_namespace"),
        )


@dataclass
class DeploymentsClient(ControlPlaneClient):
    """`/v2/deployments` for one workspace; `poll` and `wait_timeout` bound revision waits."""

    poll: float = 5.0
    wait_timeout: float = 900.0
    clock: Any = field(default=time.monotonic, repr=False)

    def _path(self, deployment_id: str, *rest: str) -> str:
        parts = [urllib.parse.quote(p, safe="") for p in (deployment_id, *rest)]
        return "/v2/deployments/" + "/".join(parts)

    def create(self, spec: DeploymentSpec) -> Deployment:
        status, parsed = self._request("POST", "/v2/deployments", spec.create_body())
        if status in (200, 201):
            return Deployment.from_json(parsed)
        if status == 409 or (status == 400 and "exist" in error_detail(parsed).lower()):
            existing = self.find(spec.name)
            if existing is not None:
                return existing
        raise self._fail(f"creating deployment '{spec.name}'", status, parsed)

    def get(self, deployment_id: str) -> Deployment:
        status, parsed = self._request("GET", self._path(deployment_id))
        if status == 200:
            return Deployment.from_json(parsed)
        if status == 404:
            raise DeploymentNotFoundError(error_detail(parsed), status)
        raise self._fail(f"reading deployment {deployment_id}", status, parsed)

    def patch(self, deployment_id: str, body: dict[str, Any]) -> Deployment:
        status, parsed = self._request("PATCH", self._path(deployment_id), body)
        if status == 200:
            return Deployment.from_json(parsed)
        if status == 404:
            raise DeploymentNotFoundError(error_detail(parsed), status)
        raise self._fail(f"updating deployment {deployment_id}", status, parsed)

    def delete(self, deployment_id: str) -> bool:
        """True if deleted, False if it was already gone (404 counts as done)."""
        status, parsed = self._request("DELETE", self._path(deployment_id))
        if status in (200, 202, 204):
            return True
        if status == 404:
            return False
        raise self._fail(f"deleting deployment {deployment_id}", status, parsed)

    def iter_deployments(self, name_contains: str) -> Iterator[Deployment]:
        offset = 0
        name = urllib.parse.quote(name_contains, safe="")
        while True:
            path = f"/v2/deployments?limit={PAGE_SIZE}&offset={offset}&name_contains={name}"
            status, parsed = self._request("GET", path)
            if status != 200:
                raise self._fail("listing deployments", status, parsed)
            page = parsed.get("resources", []) if isinstance(parsed, dict) else []
            yield from (Deployment.from_json(item) for item in page)
            if len(page) < PAGE_SIZE:
                return
            offset += len(page)

    def find(self, name: str) -> Deployment | None:
        """The deployment called exactly `name` (`name_contains` also matches longer names)."""
        return next((d for d in self.iter_deployments(name) if d.name == name), None)

    def ensure(self, spec: DeploymentSpec) -> tuple[Deployment, bool]:
        """Create the deployment, or adopt the one with this name. Returns it and whether it was
        adopted; an adopted deployment gets the topology's image and environment."""
        existing = self.find(spec.name)
        if existing is None:
            return self.create(spec), False
        if existing.listener_id not in (None, spec.listener_id) or existing.namespace not in (
            None,
            spec.namespace,
        ):
            raise ControlPlaneError(
                f"deployment '{spec.name}' exists for listener {existing.listener_id} in "
                f"namespace {existing.namespace}, not {spec.listener_id}/{spec.namespace}: "
                "rename it in the topology or delete it in LangSmith"
            )
        body = {
            "source_config": spec.source_config(create=False) or None,
            "source_revision_config": {"image_uri": spec.image},
            "secrets": spec.secrets(),
            "secret_references": spec.references(),
        }
        return self.patch(existing.id, {k: v for k, v in body.items() if v is not None}), True

    def revision_status(self, deployment_id: str, revision_id: str) -> tuple[str, str]:
        status, parsed = self._request("GET", self._path(deployment_id, "revisions", revision_id))
        if status == 200:
            return str(parsed.get("status", "UNKNOWN")), str(parsed.get("status_message") or "")
        if status == 404:
            raise DeploymentNotFoundError(error_detail(parsed), status)
        raise self._fail(f"reading revision {revision_id}", status, parsed)

    def wait_until_deployed(self, deployment: Deployment) -> str:
        """Poll the latest revision until DEPLOYED; fail on a failed status or at the deadline."""
        revision = deployment.latest_revision_id
        if not revision:
            raise ControlPlaneError(f"deployment '{deployment.name}' has no revision to wait for")
        deadline = self.clock() + self.wait_timeout
        while True:
            status, message = self.revision_status(deployment.id, revision)
            if status == DONE:
                return status
            if status in FAILED:
                detail = f": {message}" if message else ""
                raise RevisionFailedError(
                    f"deployment '{deployment.name}' revision {revision} ended {status}{detail}"
                )
            if self.clock() >= deadline:
                raise ControlPlaneError(
                    f"deployment '{deployment.name}' revision {revision} is still {status} after "
                    f"{self.wait_timeout:.0f} s (langsmith:waitForRevisions false skips the wait)"
                )
            self.sleep(self.poll)
