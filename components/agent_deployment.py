"""`AgentDeployment`: an Agent Server deployment created in LangSmith by `pulumi up`.

A Pulumi dynamic resource, the same shape as `ListenerRegistration`: create POSTs the deployment
(adopting one of the same name), read GETs it (404: gone, recreated by the next `up`), update
PATCHes a new image as a new revision (and the environment and resources), delete DELETEs it
(404 counts as done). A new listener, namespace, name, workspace or control plane is a
replacement. The deployment's Postgres and Redis URIs are never sent: `secret_references` point
at the `<deployment>-backing-stores` Secret in its namespace. Secret environment values and the
API key are secret inputs: encrypted in state, masked in output.
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

from langsmith_dataplane.deployments_api import (
    DeploymentNotFoundError,
    DeploymentsClient,
    DeploymentSpec,
)

KIND = "langsmith-deployment"  # marks these dynamic resources for plan and diff
REPLACE_ON_CHANGE = ("base_url", "workspace_id", "name", "listener_id", "namespace")
STORE_KEYS = ("POSTGRES_URI_CUSTOM", "REDIS_URI_CUSTOM")


def _client(props: dict[str, Any]) -> DeploymentsClient:
    return DeploymentsClient(
        base_url=props["base_url"],
        api_key=props["api_key"],
        workspace_id=props["workspace_id"],
        wait_timeout=float(props.get("wait_timeout") or 900),
        poll=float(props.get("poll") or 5),
    )


def _spec(props: dict[str, Any]) -> DeploymentSpec:
    return DeploymentSpec(
        name=props["name"],
        listener_id=props["listener_id"],
        namespace=props["namespace"],
        image=props["image"],
        env={**(props.get("env") or {}), **(props.get("secret_env") or {})},
        secret_references={
            ref["name"]: (ref["secret_name"], ref["secret_key"])
            for ref in props.get("secret_references") or []
        },
        resource_spec=props.get("resource_spec") or None,
        custom_url=props.get("custom_url") or None,
    )


class AgentDeploymentProvider(ResourceProvider):
    """CRUD against `/v2/deployments`; see the module docstring."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        client = _client(props)
        deployment, adopted = client.ensure(_spec(props))
        if props.get("wait"):
            client.wait_until_deployed(deployment)
        outs = {**props, "deployment_id": deployment.id, "adopted": adopted}
        return CreateResult(deployment.id, {**outs, "revision_id": deployment.latest_revision_id})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        try:
            deployment = _client(props).get(id_)
        except DeploymentNotFoundError:
            return ReadResult(None, {})  # deleted in LangSmith: the next `up` recreates it
        image = deployment.image or props.get("image")
        return ReadResult(id_, {**props, "image": image, "deployment_id": id_})

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [key for key in REPLACE_ON_CHANGE if olds.get(key) != news.get(key)]
        updates = [
            key
            for key in (
                "image",
                "env",
                "secret_env",
                "secret_references",
                "resource_spec",
                "custom_url",
                "api_key",
            )
            if (olds.get(key) or None) != (news.get(key) or None)
        ]
        return DiffResult(
            changes=bool(replaces or updates),
            replaces=replaces,
            delete_before_replace=True,  # one name per workspace
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        client, spec = _client(news), _spec(news)
        body: dict[str, Any] = {}
        if olds.get("image") != news.get("image"):
            body["source_revision_config"] = {"image_uri": spec.image}  # a new revision
        if (olds.get("env"), olds.get("secret_env")) != (news.get("env"), news.get("secret_env")):
            body["secrets"] = spec.secrets()
        if olds.get("secret_references") != news.get("secret_references"):
            body["secret_references"] = spec.references()
        config = spec.source_config(create=False)
        if (olds.get("resource_spec"), olds.get("custom_url")) != (
            news.get("resource_spec"),
            news.get("custom_url"),
        ):
            body["source_config"] = config
        deployment = client.patch(id_, body) if body else client.get(id_)
        if body and news.get("wait"):
            client.wait_until_deployed(deployment)
        return UpdateResult(
            {**news, "deployment_id": id_, "revision_id": deployment.latest_revision_id}
        )

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _client(props).delete(id_)


@dataclass(frozen=True)
class AgentDeploymentArgs:
    base_url: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    api_key: pulumi.Input[str]
    name: str
    listener_id: pulumi.Input[str]
    namespace: pulumi.Input[str]
    image: str
    stores_secret: pulumi.Input[str]
    env: Mapping[str, str] = field(default_factory=dict)
    secret_env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    resource_spec: Mapping[str, Any] | None = None
    custom_url: str | None = None
    wait: bool = True
    wait_timeout: float = 900.0


class AgentDeployment(Resource):
    """One deployment in LangSmith; `deployment_id` and `revision_id` are its outputs."""

    deployment_id: pulumi.Output[str]
    revision_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: AgentDeploymentArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = {
            "kind": KIND,
            "base_url": args.base_url,
            "workspace_id": args.workspace_id,
            "api_key": pulumi.Output.secret(args.api_key),
            "name": args.name,
            "listener_id": args.listener_id,
            "namespace": args.namespace,
            "image": args.image,
            # By reference: the URIs (passwords) stay in the cluster's Secret.
            "secret_references": pulumi.Output.from_input(args.stores_secret).apply(
                lambda secret: [
                    {"name": key, "secret_name": secret, "secret_key": key} for key in STORE_KEYS
                ]
            ),
            "env": dict(sorted(args.env.items())),
            "secret_env": pulumi.Output.secret(dict(sorted(args.secret_env.items()))),
            "resource_spec": dict(args.resource_spec or {}),
            "custom_url": args.custom_url or "",
            "wait": args.wait,
            "wait_timeout": args.wait_timeout,
            "deployment_id": None,
            "revision_id": None,
            "adopted": None,
        }
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["api_key", "secret_env"])
        )
        super().__init__(AgentDeploymentProvider(), name, props, opts)
