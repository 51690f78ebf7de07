"""`CloudDeploymentRecord`: the control plane's record of a Cloud SaaS deployment (LangChain runs
it, built from a GitHub repository).

A dynamic resource over the shared control-plane client, the same pattern as `AgentDeployment`:
create resolves the GitHub integration by name (an id is accepted), checks the integration can
read the repository, then finds the deployment by name (adopting one with the same source and
repository, and made by this stack or named by `adopt`) or POSTs it once, and waits (bounded)
for its revision to be DEPLOYED; read GETs it (404: gone, the next `up` recreates it) and
records the commit LangSmith resolved beside the topology's ref, never over it; update PATCHes
only what changed (a new ref, config path or env makes exactly one revision, then waits); a new
workspace, name, repository, deployment type or integration replaces it (delete first: one name
per workspace). The integration is compared by the id it resolves to: naming the same
installation another way (its id, or its new name after the GitHub account was renamed) is no
change. Delete DELETEs it and waits until it is gone. A failed wait keeps the record in the
state with what LangSmith now builds (`_partial`).

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

from components._records import delete_deployment, read_record, record_diff, wait_keeping_state
from langsmith_dataplane.api.cloud_deployments import GithubDeploymentBody, IntegrationsClient
from langsmith_dataplane.api.control_plane import control_plane
from langsmith_dataplane.api.deployments import DeploymentsClient
from langsmith_dataplane.api.revisions import DEFAULT_TIMEOUT
from langsmith_dataplane.api.transport import ApiError
from langsmith_dataplane.dynamic_kinds import CLOUD_DEPLOYMENT_KIND, CLOUD_DEPLOYMENT_REPLACES

UPDATABLE = ("repo_ref", "config_path", "build_on_push", "env", "secret_env", "api_key")
INTEGRATION = "integration"  # create-only by the id it resolves to (`_same_integration`)
STABLE = ("deployment_id", "integration_id", "custom_url", "adopted", *CLOUD_DEPLOYMENT_REPLACES)


def _transport(props: Mapping[str, Any]) -> Any:
    return control_plane(props["base_url"], props["api_key"], props["workspace_id"])


def _client(props: Mapping[str, Any]) -> DeploymentsClient:
    return DeploymentsClient(
        _transport(props),
        wait_timeout=float(props.get("wait_timeout") or DEFAULT_TIMEOUT),
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
        deployment, existed = client.ensure(body)
        outs = {
            **props,
            "deployment_id": deployment.id,
            "integration_id": integration_id,
            "revision_id": deployment.latest_revision_id,
            "revision_live": not props.get("wait"),
            "custom_url": deployment.custom_url,
            "resolved_ref": deployment.repo_ref,
            "adopted": existed and bool(props.get("adopt")),
        }
        if props.get("wait"):
            wait_keeping_state(client, deployment, outs, props)
            final = client.get(deployment.id)
            outs["custom_url"], outs["resolved_ref"] = final.custom_url, final.repo_ref
        return CreateResult(deployment.id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The topology's `repo_ref` stays as it is (a branch LangSmith resolved to a commit is
        not a new ref: a refresh must not make the next `up` rebuild); the commit is recorded
        in `resolved_ref`."""
        return read_record(
            id_,
            props,
            lambda: _client(props).get(id_),
            lambda deployment: {
                **props,
                "resolved_ref": deployment.repo_ref,
                "custom_url": deployment.custom_url,
            },
        )

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """The integration is create-only by the id it resolves to: another way of naming the
        same installation (its id, or its new name) is no change."""
        renamed = olds.get(INTEGRATION) != news.get(INTEGRATION)
        replaced_by: tuple[str, ...] = CLOUD_DEPLOYMENT_REPLACES
        if renamed and not _same_integration(olds, news):
            replaced_by = (*replaced_by, INTEGRATION)
        return record_diff(
            olds,
            news,
            replaced_by=replaced_by,
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
        outs = {
            **news,
            "deployment_id": id_,
            "integration_id": integration_id,
            "revision_id": deployment.latest_revision_id,
            "revision_live": bool(olds.get("revision_live", True)) and not body.makes_revision(),
            "custom_url": deployment.custom_url or olds.get("custom_url"),
            "resolved_ref": deployment.repo_ref,
            "adopted": olds.get("adopted", False),
        }
        if news.get("wait") and not outs["revision_live"]:
            wait_keeping_state(client, deployment, outs, news)
        return UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        delete_deployment(_client(props), id_, props)


def _same_integration(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """Whether `news`' integration resolves to the id the deployment was made with. Unknown
    during a preview of a new workspace: then it is a change."""
    made_with = olds.get("integration_id")
    if not made_with or not isinstance(news.get("integration"), str):
        return False
    try:
        return IntegrationsClient(_transport(news)).resolve(news["integration"]) == made_with
    except ApiError:
        return False


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
    managed_by: str = ""  # the owner the deployment carries (`naming.deployment_owner`)
    adopt: str | None = None  # the id of an existing deployment the topology takes over
    delete_tracing_project: bool = False


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
            "managed_by": args.managed_by,
            "adopt": args.adopt,
            "delete_tracing_project": args.delete_tracing_project,
            "deployment_id": None,
            "integration_id": None,
            "revision_id": None,
            "revision_live": None,
            "custom_url": None,
            "resolved_ref": None,
            "adopted": None,
        }
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["api_key", "secret_env"])
        )
        super().__init__(CloudDeploymentProvider(), name, props, opts)
