"""`ServiceKey`: a workspace-scoped LangSmith service key for one listener or Agent Server.

A dynamic resource over the platform API. Create resolves the role by name, revokes any key
left with the same description by a create whose response was lost (its value was never seen),
then creates the key scoped to exactly one workspace; the value, returned only then, is a
secret output. Read lists the workspace's keys (there is no get-by-id): a key revoked in the UI
is gone, and `pulumi refresh && pulumi up` makes a new one and rolls what holds it.

Rotation is a replacement: a new `generation` (in the description too) makes Pulumi create the
new key, update the Secret and the release that hold it, and only then delete the old key. A new
workspace, organisation or description is a replacement the same way; each changes what the new
key's create looks for, so it never revokes the key it replaces. A new role is changed in place
(`PATCH`): the value stays, nothing rolls, nothing is cut off. A new base URL (the same service
spelled another way) checks the key is there and keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass
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

from components._records import record_diff
from components.workspace_records import PlatformAccess
from langsmith_dataplane.api.platform import platform
from langsmith_dataplane.api.service_keys import RolesClient, ServiceKeysClient
from langsmith_dataplane.api.transport import ApiError
from langsmith_dataplane.dynamic_kinds import (
    SERVICE_KEY_KIND,
    SERVICE_KEY_REPLACES,
    SERVICE_KEY_UPDATES,
)

STABLE = ("key_id", "key", "short_key", "role_id", *SERVICE_KEY_REPLACES)


def _transport(props: dict[str, Any]) -> Any:
    return platform(props["base_url"], props["admin_key"], props["organization_id"])


class ServiceKeyProvider(ResourceProvider):
    """See the module docstring."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        transport = _transport(props)
        role = RolesClient(transport).find(props["role"])
        created = ServiceKeysClient(transport).create(
            props["workspace_id"], props["description"], role.id
        )
        outs = {
            **props,
            "key_id": created.record.id,
            "key": created.key,
            "short_key": created.record.short_key,
            "role_id": role.id,
        }
        return CreateResult(created.record.id, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if not ServiceKeysClient(_transport(props)).exists(props["workspace_id"], id_):
            return ReadResult(None, {})  # revoked in the UI: the next `up` makes a new key
        return ReadResult(id_, props)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return record_diff(
            olds,
            news,
            replaced_by=SERVICE_KEY_REPLACES,
            updated_by=SERVICE_KEY_UPDATES,
            stables=STABLE,
            delete_before_replace=False,  # the new key serves before the old one is revoked
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        transport = _transport(news)
        keys = ServiceKeysClient(transport)
        kept = {key: olds.get(key) for key in ("key_id", "key", "short_key", "role_id")}
        if olds.get("base_url") != news.get("base_url") and not keys.exists(
            news["workspace_id"], id_
        ):
            raise ApiError(
                f"service key '{news['description']}': the platform API at {news['base_url']} "
                f"has no key {id_}; a key cannot move to another LangSmith. Raise "
                "`serviceKeys.generation` to make a new key there (the old one is revoked "
                "after the workloads have switched)"
            )
        if olds.get("role") != news.get("role"):
            role = RolesClient(transport).find(news["role"])
            keys.set_role(id_, role.id)
            kept["role_id"] = role.id
        return UpdateResult({**news, **kept})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        ServiceKeysClient(_transport(props)).delete(id_)


@dataclass(frozen=True)
class ServiceKeyArgs:
    """`description` names the owner (stack, cluster, listener or server) and the generation:
    the LangSmith UI shows it, and it is the key's natural key."""

    access: PlatformAccess
    workspace_id: pulumi.Input[str]
    description: str
    role: str
    generation: int


class ServiceKey(Resource):
    """A key scoped to one workspace; `key` is a secret output."""

    key: pulumi.Output[str]
    key_id: pulumi.Output[str]
    short_key: pulumi.Output[str]
    role_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: ServiceKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        props = {
            "kind": SERVICE_KEY_KIND,
            "base_url": args.access.base_url,
            "organization_id": args.access.organization_id,
            "admin_key": pulumi.Output.secret(args.access.admin_key),
            "workspace_id": args.workspace_id,
            "description": args.description,
            "role": args.role,
            "generation": args.generation,
            "key_id": None,
            "key": None,
            "short_key": None,
            "role_id": None,
        }
        opts = pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(additional_secret_outputs=["admin_key", "key"])
        )
        super().__init__(ServiceKeyProvider(), name, props, opts)
