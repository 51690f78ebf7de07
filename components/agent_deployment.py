"""`AgentDeployment`: an Agent Server deployment created in LangSmith by `pulumi up`.

A Pulumi dynamic resource, the same shape as `ListenerRegistration`: create finds the deployment
by name first (the stack's own, from a create whose answer was lost, or the one the topology
adopts), else POSTs it once; read GETs it (404: gone, recreated by the next `up`); update
PATCHes only what changed (a new image or environment is one revision; a resource spec is
merged into LangSmith's); delete DELETEs it and waits until it is gone (404 counts as done). A
new listener, namespace, name, workspace or control plane is a replacement.

A revision wait that fails after the create or the PATCH keeps the record in the state
(`_partial.fail_keeping_state`) with what LangSmith now runs: the next `up` waits again, a
revert of the topology is a change, and a removal or `destroy` still deletes it.

Nothing secret is sent: the store URIs and the `secretEnv` values are `secret_references` to
Kubernetes Secrets in the deployment's namespace, and only plain `env` goes as `secrets`. A
checksum of the referenced values (`rollout.py`) goes with `env`, so rotating one is a new
revision that restarts the Agent Server. The API key is a secret input.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
from langsmith_dataplane.api.control_plane import control_plane
from langsmith_dataplane.api.deployments import DeploymentBody, DeploymentsClient
from langsmith_dataplane.api.revisions import DEFAULT_TIMEOUT
from langsmith_dataplane.dynamic_kinds import DEPLOYMENT_KIND, DEPLOYMENT_REPLACES

KIND = DEPLOYMENT_KIND
REPLACE_ON_CHANGE = DEPLOYMENT_REPLACES
UPDATABLE = ("image", "env", "secret_references", "resource_spec", "custom_url", "api_key")
STABLE = ("deployment_id", "adopted", *REPLACE_ON_CHANGE)
STORE_KEYS = ("POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM")
CHECKSUM_ENV = "DATAPLANE_SECRETS_CHECKSUM"


def _client(props: dict[str, Any]) -> DeploymentsClient:
    transport = control_plane(props["base_url"], props["api_key"], props["workspace_id"])
    return DeploymentsClient(
        transport,
        wait_timeout=float(props.get("wait_timeout") or DEFAULT_TIMEOUT),
        poll=float(props.get("poll") or 5),
    )


class AgentDeploymentProvider(ResourceProvider):
    """CRUD against `/v2/deployments`; see the module docstring."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = _client(props)
        deployment, existed = client.ensure(DeploymentBody.from_props(props))
        outs = {
            **props,
            "deployment_id": deployment.id,
            "adopted": existed and bool(props.get("adopt")),
            "revision_id": deployment.latest_revision_id,
            "revision_live": not props.get("wait"),
        }
        if props.get("wait"):
            wait_keeping_state(client, deployment, outs, props)
        return CreateResult(deployment.id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return read_record(
            id_,
            props,
            lambda: _client(props).get(id_),
            lambda deployment: {
                **props,
                "image": deployment.image or props.get("image"),
                "deployment_id": id_,
            },
        )

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return record_diff(
            olds,
            news,
            replaced_by=REPLACE_ON_CHANGE,
            updated_by=UPDATABLE,
            stables=STABLE,
            delete_before_replace=True,  # one name per workspace
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """PATCH what changed, then wait. After a failed wait (this run's or an earlier one's,
        which left the resource with an init error) the wait runs again even with nothing to
        send, so `up` only succeeds once the latest revision is live."""
        client = _client(news)
        body = DeploymentBody.from_props(news).update_body(DeploymentBody.from_props(olds))
        deployment = client.patch(id_, body) if body else client.get(id_)
        outs = {
            **news,
            "deployment_id": id_,
            "adopted": olds.get("adopted", False),
            "revision_id": deployment.latest_revision_id,
            "revision_live": bool(olds.get("revision_live", True)) and not body,
        }
        if news.get("wait") and not outs["revision_live"]:
            wait_keeping_state(client, deployment, outs, news)
        return UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        delete_deployment(_client(props), id_, props)


@dataclass(frozen=True)
class AgentDeploymentArgs:
    """`stores_secret` and `env_secret` name the Secrets in `namespace` that the deployment
    reads by reference; `checksum` changes when a value in them does."""

    base_url: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    api_key: pulumi.Input[str]
    name: str
    listener_id: pulumi.Input[str]
    namespace: pulumi.Input[str]
    image: str
    stores_secret: pulumi.Input[str]
    env: Mapping[str, str] = field(default_factory=dict)
    secret_env_keys: Sequence[str] = ()
    env_secret: pulumi.Input[str] | None = None
    checksum: pulumi.Input[str] = ""
    resource_spec: Mapping[str, Any] | None = None
    custom_url: str | None = None
    wait: bool = True
    wait_timeout: float = 1800.0
    managed_by: str = ""  # the owner the deployment carries (`naming.deployment_owner`)
    adopt: str | None = None  # the id of an existing deployment the topology takes over
    delete_tracing_project: bool = False  # on deletion, its tracing project goes too


@dataclass(frozen=True)
class AgentDeploymentInput:
    """A deployment the control plane creates (`image` set in the topology)."""

    image: str
    env: Mapping[str, str] = field(default_factory=dict)
    secret_env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    resource_spec: Mapping[str, Any] | None = None
    custom_url: str | None = None
    managed_by: str = ""  # the owner the deployment carries in LangSmith
    adopt: str | None = None  # an existing deployment to take over
    delete_tracing_project: bool = False


def _references(
    stores_secret: str, env_secret: str | None, env_keys: Sequence[str]
) -> list[dict[str, str]]:
    refs = [{"name": key, "secret_name": stores_secret, "secret_key": key} for key in STORE_KEYS]
    if env_secret:
        refs += [{"name": key, "secret_name": env_secret, "secret_key": key} for key in env_keys]
    return sorted(refs, key=lambda ref: ref["name"])


class AgentDeployment(Resource):
    """One deployment in LangSmith; `deployment_id` and `revision_id` are its outputs."""

    deployment_id: pulumi.Output[str]
    revision_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: AgentDeploymentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        keys = sorted(args.secret_env_keys)
        env = pulumi.Output.from_input(args.checksum).apply(
            lambda checksum: {
                **dict(sorted(args.env.items())),
                **({CHECKSUM_ENV: checksum} if checksum else {}),
            }
        )
        props = {
            "kind": KIND,
            "base_url": args.base_url,
            "workspace_id": args.workspace_id,
            "api_key": pulumi.Output.secret(args.api_key),
            "name": args.name,
            "listener_id": args.listener_id,
            "namespace": args.namespace,
            "image": args.image,
            # By reference: the URIs and secret values stay in the cluster's Secrets.
            "secret_references": pulumi.Output.all(args.stores_secret, args.env_secret).apply(
                lambda names: _references(names[0], names[1], keys)
            ),
            "env": env,
            "resource_spec": dict(args.resource_spec or {}),
            "custom_url": args.custom_url or "",
            "wait": args.wait,
            "wait_timeout": args.wait_timeout,
            "managed_by": args.managed_by,
            "adopt": args.adopt,
            "delete_tracing_project": args.delete_tracing_project,
            "deployment_id": None,
            "revision_id": None,
            "revision_live": None,
            "adopted": None,
        }
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["api_key"])
        )
        super().__init__(AgentDeploymentProvider(), name, props, opts)
