"""`CloudDeploymentRecord`: the control plane's record of a Cloud SaaS deployment (LangChain runs
it, built from a GitHub repository).

A dynamic resource over the shared control-plane client, the same pattern as `AgentDeployment`:
create resolves the GitHub integration by name (an id is accepted), checks the integration can
read the repository, then finds the deployment by name (adopting one with the same source and
repository) or POSTs it, and waits (bounded) for its revision to be DEPLOYED; read GETs it
(404: gone, the next `up` recreates it); update PATCHes only what changed (a new ref, config
path or env makes exactly one revision, then waits); a new workspace, name, integration,
repository or deployment type replaces it (delete first: one name per workspace); delete
DELETEs it and waits until it is gone.

`secret_env` values are secret inputs: encrypted in state, masked in every output; Cloud SaaS
has no cluster Secret, so they are sent to LangChain, which stores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.dynamic import (
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)

from components._records import read_record, record_diff
from langsmith_dataplane.api.cloud_deployments import GithubDeploymentBody, IntegrationsClient
from langsmith_dataplane.api.control_plane import control_plane
from langsmith_dataplane.api.deployments import DeploymentsClient
from langsmith_dataplane.api.transport import ApiError
from langsmith_dataplane.dynamic_kinds import CLOUD_DEPLOYMENT_KIND, CLOUD_DEPLOYMENT_REPLACES

UPDATABLE = ("repo_ref", "config_path", "build_on_push", "env", "secret_env", "api_key")
STABLE = ("deployment_id", "integration_id", "custom_url", "adopted", *CLOUD_DEPLOYMENT_REPLACES)


def _transport(props: Mapping[str, Any]) -> Any:
    return control_plane(props["base_url"], props["api_key"], props["workspace_id"])


def _client(props: Mapping[str, Any]) -> DeploymentsClient:
    return DeploymentsClient(
        _transport(props),
        wait_timeout=float(props.get("wait_timeout") or 1800),
        poll=float(props.get("poll") or 5),
    )


class CloudDeploymentProvider(ResourceProvider):
    """See the module docstring."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        integrations = IntegrationsClient(_transport(props))
        integration_id = integrations.resolve(props["integration"])
        if props["repo_url"] not in integrations.repositories(integration_id):
            raise ApiError(
                f"deployment '{props['name']}': GitHub integration '{props['integration']}' "
                f"cannot read {props['repo_url']}; grant the LangSmith GitHub App access to it"
            )
        client = _client(props)
        body = GithubDeploymentBody.from_props(props, integration_id)
        deployment, adopted = client.ensure(body)
        if props.get("wait"):
            client.wait_until_deployed(deployment)
            deployment = client.get(deployment.id)
        outs = {
            **props,
            "deployment_id": deployment.id,
            "integration_id": integration_id,
            "revision_id": deployment.latest_revision_id,
            "custom_url": deployment.custom_url,
            "adopted": adopted,
        }
        return CreateResult(deployment.id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return read_record(
            id_,
            props,
            lambda: _client(props).get(id_),
            lambda deployment: {
                **props,
                "repo_ref": deployment.repo_ref or props.get("repo_ref"),
                "custom_url": deployment.custom_url,
            },
        )

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return record_diff(
            olds,
            news,
            replaced_by=CLOUD_DEPLOYMENT_REPLACES,
            updated_by=UPDATABLE,
            stables=STABLE,
            delete_before_replace=True,  # one name per workspace
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client = _client(news)
        integration_id = str(olds.get("integration_id") or "")
        body = GithubDeploymentBody.from_props(news, integration_id, old=olds)
        patch = body.update_body()
        deployment = client.patch(id_, patch) if patch else client.get(id_)
        if body.makes_revision() and news.get("wait"):
            client.wait_until_deployed(deployment)
        return UpdateResult(
            {
                **news,
                "deployment_id": id_,
                "integration_id": integration_id,
                "revision_id": deployment.latest_revision_id,
                "custom_url": deployment.custom_url or olds.get("custom_url"),
                "adopted": olds.get("adopted", False),
            }
        )

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _client(props).delete(id_, wait=True)


@dataclass(frozen=True)
class CloudDeploymentRecordArgs:
    base_url: str
    workspace_id: pulumi.Input[str]
    api_key: pulumi.Input[str]
    name: str
    integration: str  # a name or an id; resolved at create
    repo_url: str
    repo_ref: str
    config_path: str
    deployment_type: str
    build_on_push: bool
    env: Mapping[str, str] = field(default_factory=dict)
    secret_env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    wait: bool = True
    wait_timeout: float = 1800.0


class CloudDeploymentRecord(Resource):
    """One Cloud SaaS deployment; `custom_url` is the URL LangSmith gives it."""

    deployment_id: pulumi.Output[str]
    revision_id: pulumi.Output[str]
    custom_url: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: CloudDeploymentRecordArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "kind": CLOUD_DEPLOYMENT_KIND,
            "base_url": args.base_url,
            "workspace_id": args.workspace_id,
            "api_key": pulumi.Output.secret(args.api_key),
            "name": args.name,
            "integration": args.integration,
            "repo_url": args.repo_url,
            "repo_ref": args.repo_ref,
            "config_path": args.config_path,
            "deployment_type": args.deployment_type,
            "build_on_push": args.build_on_push,
            "env": dict(sorted(args.env.items())),
            # Each value a secret (names stay readable for review; values never are).
            "secret_env": {k: pulumi.Output.secret(v) for k, v in sorted(args.secret_env.items())},
            "wait": args.wait,
            "wait_timeout": args.wait_timeout,
            "deployment_id": None,
            "integration_id": None,
            "revision_id": None,
            "custom_url": None,
            "adopted": None,
        }
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["api_key", "secret_env"])
        )
        super().__init__(CloudDeploymentProvider(), name, props, opts)
