"""`Namespace`: a labelled namespace with Pod Security labels and an optional ResourceQuota."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components._common import child_opts


@dataclass(frozen=True)
class QuotaArgs:
    cpu: str | None = None
    memory: str | None = None
    pods: int | None = None

    def hard(self) -> dict[str, str]:
        hard = {}
        if self.cpu:
            hard["requests.cpu"] = self.cpu
        if self.memory:
            hard["requests.memory"] = self.memory
        if self.pods:
            hard["pods"] = str(self.pods)
        return hard


@dataclass(frozen=True)
class NamespaceArgs:
    """`enforce` is the Pod Security level enforced; `restricted` is always warned and audited."""

    name: str
    labels: Mapping[str, str] = field(default_factory=dict)
    enforce: str = "baseline"
    quota: QuotaArgs | None = None
    protect: bool = False


class Namespace(pulumi.ComponentResource):
    """A namespace the project owns. Protected in `protect` stacks when it holds stateful data."""

    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: NamespaceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("langsmith:index:Namespace", name, None, opts)
        labels = {
            **args.labels,
            "pod-security.kubernetes.io/enforce": args.enforce,
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        }
        namespace = k8s.core.v1.Namespace(
            name,
            metadata={"name": args.name, "labels": labels},
            opts=child_opts(self, protect=args.protect),
        )
        self.name = namespace.metadata.name  # an Output, so users of the name depend on it
        if args.quota is not None and args.quota.hard():
            k8s.core.v1.ResourceQuota(
                f"{name}-quota",
                metadata={
                    "name": "langsmith-quota",
                    "namespace": self.name,
                    "labels": dict(args.labels),
                },
                spec={"hard": args.quota.hard()},
                opts=child_opts(self),
            )
        self.register_outputs({"name": self.name})
