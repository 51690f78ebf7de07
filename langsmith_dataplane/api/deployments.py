"""`/v2/deployments`: Agent Server deployments a listener runs (`source: external_docker`).

Natural key: the deployment's name, unique per workspace (a duplicate is refused with 400/422).
Every deployment the stack makes carries its owner in one variable (`MANAGED_BY`, in `secrets`,
which GET returns), so `ensure` tells the stack's own deployment (a create whose answer was
lost) from someone else's, which it takes over only when the topology names it (`adopt`).
Creates and revision-making PATCHes are sent once (`Transport.write_once`); a lost answer is
resolved by reading. Request bodies follow the published OpenAPI document (the tests check every
one). Values that are secrets never travel: the store URIs and the `secretEnv` values are
`secret_references` to Kubernetes Secrets in the deployment's namespace; only plain `env` goes
as `secrets`.

What the service does with an update (langsmith-api-behaviour.md): `secrets` replaces the whole
environment, but an EMPTY list means "unchanged", so the owner variable keeps it never empty and
removing the last variable removes it; `resource_spec` replaces the whole object, so it is read
and merged right before it is written; `custom_url` cannot be cleared, so it is never sent empty.
"""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from langsmith_dataplane.api.cancellation import CANCELLED
from langsmith_dataplane.api.deployment_record import (
    MANAGED_BY,
    DeploymentRecord,
    owner_variable,
    ownership_problem,
)
from langsmith_dataplane.api.revisions import RevisionFailedError, RevisionWaiter
from langsmith_dataplane.api.transport import ApiError, NotFoundError, Transport

SOURCE = "external_docker"  # hybrid and self-hosted control planes run images you built
GOING = "AWAITING_DELETE"  # a deleted deployment, until the operator has removed it
DUPLICATE = (400, 409, 422)  # the OpenAPI document lists 400/422 for a taken name

__all__ = ["DeploymentRecord", "RevisionFailedError"]


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
    managed_by: str = ""  # the owner variable's value (`MANAGED_BY`)
    adopt: str | None = None  # the id of an existing deployment the topology takes over

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
            managed_by=str(props.get("managed_by") or ""),
            adopt=props.get("adopt") or None,
        )

    def secrets(self) -> list[dict[str, str]]:
        """The environment with the owner variable: never empty, so that the service, which
        reads an empty list as "unchanged", removes a last variable that was taken out."""
        user = [{"name": k, "value": v} for k, v in sorted(self.env.items()) if k != MANAGED_BY]
        return user + owner_variable(self.managed_by)

    def references(self) -> list[dict[str, str]]:
        return [
            {"name": name, "secret_name": secret, "secret_key": key}
            for name, (secret, key) in sorted(self.secret_references.items())
        ]

    def source_config(self, *, create: bool) -> dict[str, Any]:
        """Only what is set: on create, also what is fixed after it (listener, namespace). A
        resource spec left out is inherited (the service keeps it); a custom URL cannot be
        cleared, so an empty one is never sent."""
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

    def adoption_problem(self, existing: DeploymentRecord) -> str | None:
        """Why a deployment found by this name is not this one to bring in line (None: it is
        the stack's own, or the one the topology adopts, on the same listener and namespace)."""
        if existing.listener_id not in (None, self.listener_id) or existing.namespace not in (
            None,
            self.namespace,
        ):
            return (
                f"for listener {existing.listener_id} in namespace {existing.namespace}, not "
                f"{self.listener_id}/{self.namespace}"
            )
        return ownership_problem(existing, self.managed_by, self.adopt)

    def update_body(self, old: DeploymentBody | None = None) -> dict[str, Any]:
        """What changed since `old` (everything without it, as when adopting): each of these
        fields in a PATCH makes a new revision, so unchanged ones are left out."""
        if old is not None and old.custom_url and not self.custom_url:
            raise ApiError(
                f"deployment '{self.name}': LangSmith cannot clear a custom URL once set "
                f"({old.custom_url}); keep `customUrl`, or rename the deployment to make a new "
                "one. Nothing was sent."
            )
        body: dict[str, Any] = {}
        if old is None or old.image != self.image:
            body["source_revision_config"] = {"image_uri": self.image}
        if old is None or dict(old.env) != dict(self.env):  # the owner variable never changes
            body["secrets"] = self.secrets()
        if old is None or dict(old.secret_references) != dict(self.secret_references):
            body["secret_references"] = self.references()
        if (
            old is None
            or (old.resource_spec or {}) != (self.resource_spec or {})
            or (old.custom_url or "") != (self.custom_url or "")
        ):
            config = self.source_config(create=False)
            if config:
                body["source_config"] = config
        return body


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
    """`poll` and `wait_timeout` bound the waits for a revision and for a deletion; `report`
    says what a wait sees (the engine shows each line)."""

    transport: Transport
    poll: float = 5.0
    wait_timeout: float = 1800.0
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    # Both end early on the engine's cancel (`cancellation`): a Ctrl-C stops the waits.
    sleep: Callable[[float], object] = field(default=CANCELLED.wait, repr=False)
    cancelled: Callable[[], bool] = field(default=CANCELLED.is_set, repr=False)
    report: Callable[[str], None] | None = field(default=None, repr=False)

    @staticmethod
    def _path(deployment_id: str, *rest: str) -> str:
        parts = [urllib.parse.quote(p, safe="") for p in (deployment_id, *rest)]
        return "/v2/deployments/" + "/".join(parts)

    def create(self, spec: RequestBody) -> DeploymentRecord:
        """POSTed once: after a lost answer the deployment is looked for by name and taken if it
        is the stack's own (its owner variable), else the POST is sent again. A name taken by
        someone else (400/422) is explained, never adopted."""
        action = f"creating deployment '{spec.name}'"

        def recover() -> DeploymentRecord | None:
            found = self.find(spec.name)
            return found if found is not None and not spec.adoption_problem(found) else None

        try:
            made, recovered = self.transport.write_once(
                "POST", "/v2/deployments", spec.create_body(), action=action, recover=recover
            )
        except ApiError as exc:
            if exc.status not in DUPLICATE:
                raise
            found = self.find(spec.name)
            if found is None:
                raise
            problem = spec.adoption_problem(found)
            if problem:
                raise ApiError(_exists(spec.name, problem), exc.status) from None
            return found
        return made if recovered else DeploymentRecord.from_json(made)

    def get(self, deployment_id: str) -> DeploymentRecord:
        response = self.transport.request("GET", self._path(deployment_id))
        action = f"reading deployment {deployment_id}"
        return DeploymentRecord.from_json(self.transport.expect(response, 200, action=action))

    def patch(self, deployment_id: str, body: dict[str, Any]) -> DeploymentRecord:
        """A PATCH that makes a revision (`source_revision_config`, `secrets`) is sent once: a
        lost answer is resolved by reading whether a new revision appeared. A resource spec is
        merged into the one the service has right now (it replaces the whole object)."""
        action = f"updating deployment {deployment_id}"
        config = body.get("source_config") or {}
        needs_current = "resource_spec" in config
        makes_revision = "source_revision_config" in body or "secrets" in body
        before = self.get(deployment_id) if needs_current or makes_revision else None
        if needs_current and before is not None:
            merged = {**(before.resource_spec or {}), **config["resource_spec"]}
            body = {**body, "source_config": {**config, "resource_spec": merged}}
        path = self._path(deployment_id)
        if not makes_revision or before is None:
            response = self.transport.request("PATCH", path, body)
            return DeploymentRecord.from_json(self.transport.expect(response, 200, action=action))
        revision_before = before.latest_revision_id

        def recover() -> DeploymentRecord | None:
            now = self.get(deployment_id)
            return now if now.latest_revision_id != revision_before else None

        made, recovered = self.transport.write_once(
            "PATCH", path, body, action=action, recover=recover, ok=(200,)
        )
        return made if recovered else DeploymentRecord.from_json(made)

    def delete(
        self, deployment_id: str, *, wait: bool = True, tracing_project: bool = False
    ) -> bool:
        """Delete, then wait until it is gone: the operator removes the Agent Server while the
        deployment is AWAITING_DELETE, and the listener must outlive that. False if the DELETE
        found nothing (404): gone, or already being deleted by a run that was killed, so the
        wait still reads it until it is gone. `tracing_project`: also delete its tracing
        project (the service's `delete_tracing_project`; default kept)."""
        action = f"deleting deployment {deployment_id}"
        path = self._path(deployment_id)
        if tracing_project:
            path += "?delete_tracing_project=true"
        deleted = self.transport.delete(path, action=action)
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
            if self.cancelled():
                raise ApiError(
                    f"stopped waiting for deployment {deployment_id} to go: the update was "
                    "cancelled. Its deletion was sent; the state keeps it until the next "
                    "`pulumi up` (or `destroy`) sees it gone"
                )
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
        """Create the deployment, or bring in line the one of this name that is the stack's own
        (a create whose answer was lost) or that the topology adopts. Returns it and whether it
        already existed. Someone else's deployment is an error naming `adopt`."""
        existing = self.find(spec.name)
        if existing is None:
            return self.create(spec), False
        problem = spec.adoption_problem(existing)
        if problem:
            raise ApiError(_exists(spec.name, problem))
        return self.patch(existing.id, spec.update_body()), True

    def wait_until_deployed(self, deployment: DeploymentRecord, url: str | None = None) -> str:
        """Wait until the latest revision (or the one that superseded it) is live; the id of
        the live revision. See `revisions.RevisionWaiter`."""
        revision = deployment.latest_revision_id
        if not revision:
            raise ApiError(f"deployment '{deployment.name}' has no revision to wait for")
        waiter = RevisionWaiter(
            self.transport,
            poll=self.poll,
            timeout=self.wait_timeout,
            clock=self.clock,
            sleep=self.sleep,
            cancelled=self.cancelled,
        )
        if self.report is not None:
            waiter.report = self.report
        return waiter.wait(deployment.id, deployment.name, revision, url or deployment.custom_url)


def _exists(name: str, problem: str) -> str:
    return f"deployment '{name}' exists {problem}; or rename it in the topology"
