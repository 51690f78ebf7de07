"""What the EKS component takes: its own small types (the wiring translates the topology)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeGroup:
    """A managed node group; the cluster autoscaler owns the desired size after creation."""

    instance_type: str
    min_size: int
    max_size: int
    desired_size: int | None = None
    disk_size_gb: int = 50


@dataclass(frozen=True)
class Vpc:
    """An existing VPC and the private subnets the cluster and nodes use."""

    id: str
    subnet_ids: Sequence[str]


@dataclass(frozen=True)
class EksArgs:
    """A new EKS cluster. `role_arn` / `profile`: the AWS credentials for this cluster, used by
    the AWS provider that creates it AND by the kubeconfig it exports, as pulumi-eks does (None:
    the ambient credentials)."""

    region: str
    version: str
    vpc_cidr: str
    node_groups: Mapping[str, NodeGroup] = field(default_factory=dict)
    vpc: Vpc | None = None
    registry_egress_cidrs: Sequence[str] = ()
    role_arn: str | None = None
    profile: str | None = None
