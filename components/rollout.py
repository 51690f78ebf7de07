"""Restart pods when a Secret they read changes.

Pods read keys and store URIs from Kubernetes Secrets at start, so rotating one restarts nothing
by itself. A checksum of the secret inputs in the pod template (or a deployment's environment)
changes with them and rolls the pods. A plain hash of a short secret could be guessed from the
state, so the checksum is an HMAC keyed by a random key of the component's own (a Pulumi
secret): it reveals nothing, and is shown in plain text so previews say which pods roll.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

import pulumi
import pulumi_random as random

from components._common import child_opts

ANNOTATION = "langsmith.com/secrets-checksum"


def rollout_key(parent: pulumi.Resource, name: str) -> pulumi.Output[str]:
    """The component's checksum key, `<name>-rollout-key` (a secret)."""
    key = random.RandomPassword(
        f"{name}-rollout-key", length=32, special=False, opts=child_opts(parent)
    )
    return key.result


def rollout_checksum(
    key: pulumi.Input[str], values: Sequence[pulumi.Input[str]]
) -> pulumi.Output[str]:
    """An HMAC-SHA256 (hex, 16 characters) of `values`: shown in plain text, reveals nothing."""

    def digest(args: list[str]) -> str:
        secret, *parts = args
        message = "\0".join(str(p) for p in parts).encode()
        return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:16]

    return pulumi.Output.unsecret(pulumi.Output.all(key, *values).apply(digest))
