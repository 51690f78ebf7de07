"""Cloud SaaS deployments (`source: github`) and the GitHub integrations they build through.

Same `/v2/deployments` resource and client as a listener's deployments (`deployments.py`);
what differs is the body. Natural key: the name, unique per workspace; a deployment found by
name is adopted only if it builds from the same source and repository. Fixed after creation:
`source`, `repo_url`, `deployment_type` and `integration_id` (a change replaces). A PATCH with a
new `repo_ref`, `langgraph_config_path` or `secrets` makes one new revision, so an update sends
only what changed. Cloud SaaS has no cluster Secret to reference: `secretEnv` values travel in
`secrets` (LangChain stores them); they are secrets everywhere here and never in a message.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from langsmith_dataplane.api.deployment_record import (
    MANAGED_BY,
    DeploymentRecord,
    owner_variable,
    ownership_problem,
)
from langsmith_dataplane.api.transport import NotFoundError, Transport

SOURCE = "github"  # LangChain's cloud builds from a GitHub repository through its GitHub App
INTEGRATIONS = "/v1/integrations/github/install"


@dataclass(frozen=True)
class GithubDeploymentBody:
    """What the topology says about one Cloud deployment, in the API's terms."""

    name: str
    integration_id: str
    repo_url: str
    repo_ref: str
    config_path: str
    deployment_type: str
    build_on_push: bool
    env: Mapping[str, str] = field(default_factory=dict)
    secret_env: Mapping[str, str] = field(default_factory=dict, repr=False)
    previous: GithubDeploymentBody | None = field(default=None, repr=False, compare=False)
    managed_by: str = ""  # the owner variable's value (`deployments.MANAGED_BY`)
    adopt: str | None = None  # the id of an existing deployment the topology takes over

    @classmethod
    def from_props(
        cls, props: Mapping[str, Any], integration_id: str, old: Mapping[str, Any] | None = None
    ) -> GithubDeploymentBody:
        """From the `CloudDeployment` resource's inputs (the provider and `render` share it);
        `old`, the inputs before an update, so that only what changed is sent."""
        previous = cls.from_props(old, str(old.get("integration_id") or "")) if old else None
        return cls(
            name=props["name"],
            integration_id=integration_id,
            repo_url=props["repo_url"],
            repo_ref=props["repo_ref"],
            config_path=props["config_path"],
            deployment_type=props["deployment_type"],
            build_on_push=bool(props.get("build_on_push")),
            env=dict(props.get("env") or {}),
            secret_env=dict(props.get("secret_env") or {}),
            previous=previous,
            managed_by=str(props.get("managed_by") or ""),
            adopt=props.get("adopt") or None,
        )

    def secrets(self) -> list[dict[str, str]]:
        """The environment with the owner variable, so it is never the empty list the service
        reads as "unchanged" (removing the last variable must remove it)."""
        values = {k: v for k, v in {**self.env, **self.secret_env}.items() if k != MANAGED_BY}
        user = [{"name": k, "value": v} for k, v in sorted(values.items())]
        return user + owner_variable(self.managed_by)

    def revision_config(self) -> dict[str, Any]:
        return {"repo_ref": self.repo_ref, "langgraph_config_path": self.config_path}

    def create_body(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": SOURCE,
            "source_config": {
                "integration_id": self.integration_id,
                "repo_url": self.repo_url,
                "deployment_type": self.deployment_type,
                "build_on_push": self.build_on_push,
            },
            "source_revision_config": self.revision_config(),
            "secrets": self.secrets(),
        }

    def update_body(self) -> dict[str, Any]:
        """What changed since `previous` (everything mutable without it, as when adopting)."""
        old = self.previous
        body: dict[str, Any] = {}
        if old is None or (old.repo_ref, old.config_path) != (self.repo_ref, self.config_path):
            body["source_revision_config"] = self.revision_config()
        if old is None or {**old.env, **old.secret_env} != {**self.env, **self.secret_env}:
            body["secrets"] = self.secrets()
        if old is None or old.build_on_push != self.build_on_push:
            body["source_config"] = {"build_on_push": self.build_on_push}
        return body

    def makes_revision(self) -> bool:
        """Whether `update_body` starts a new revision (a ref, config path or env change)."""
        body = self.update_body()
        return "source_revision_config" in body or "secrets" in body

    def adoption_problem(self, existing: DeploymentRecord) -> str | None:
        if existing.source not in (None, SOURCE) or existing.repo_url not in (None, self.repo_url):
            return f"with source {existing.source} {existing.repo_url or ''}, not {self.repo_url}"
        return ownership_problem(existing, self.managed_by, self.adopt)


@dataclass(frozen=True)
class GithubIntegration:
    id: str
    name: str
    installation_id: int


@dataclass
class IntegrationsClient:
    """The workspace's GitHub integrations (installations of LangSmith's GitHub App, made in the
    UI: there is no API to create one)."""

    transport: Transport

    def all(self) -> list[GithubIntegration]:
        body = self.transport.expect(
            self.transport.request("GET", INTEGRATIONS), 200, action="listing GitHub integrations"
        )
        return [
            GithubIntegration(
                str(i["id"]), str(i.get("name", "")), int(i.get("installation_id", 0))
            )
            for i in body or []
            if isinstance(i, dict)
        ]

    def resolve(self, integration: str) -> str:
        """The id of the integration named `integration` (or with that id)."""
        found = self.all()
        for item in found:
            if integration in (item.name, item.id) or _same_uuid(integration, item.id):
                return item.id
        names = ", ".join(sorted(i.name for i in found)) or "none: install the LangSmith GitHub App"
        raise NotFoundError(
            f"GitHub integration '{integration}' is not one of the workspace's ({names}); "
            "installations are made in the LangSmith UI (Deployments > GitHub)"
        )

    def repositories(self, integration_id: str) -> list[str]:
        path = f"/v1/integrations/github/{integration_id}/repos"
        body = self.transport.expect(
            self.transport.request("GET", path),
            200,
            action="listing the integration's repositories",
        )
        return [str(r.get("url", "")) for r in body or [] if isinstance(r, dict)]


def _same_uuid(a: str, b: str) -> bool:
    try:
        return uuid.UUID(a) == uuid.UUID(b)
    except ValueError:
        return False
