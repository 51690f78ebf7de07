"""A new Amazon EKS cluster for the data plane, declared under the `Cluster` component.

One module per resource family: `network` (the VPC, or the given one), `iam` (roles),
`security_groups` (the nodes' group, standalone rules the Egress component adds to),
`node_groups` (managed groups with launch templates), `kubeconfig` (what the stack exports).
Here: the cluster itself with secrets encrypted by a KMS key, the VPC CNI with network policy
enforcement, the EBS CSI add-on, a default encrypted gp3 StorageClass, and the Kubernetes
provider built from the cluster's kubeconfig. Like pulumi-eks, the component owns its AWS
provider, which uses the cluster's own credentials (`role_arn`, `profile`) when it has them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components._common import PROVIDER_SETTINGS, base_labels, child_opts
from components.aws_network import AwsNetwork
from components.eks import iam
from components.eks.args import EksArgs, NodeGroup, Vpc
from components.eks.kubeconfig import kubeconfig_json
from components.eks.network import build_vpc, subnet_cidrs
from components.eks.node_groups import ami_type, node_groups
from components.eks.security_groups import node_security_group
from langsmith_dataplane.naming import bounded_name, cluster_provider


@dataclass(frozen=True)
class EksResult:
    provider: k8s.Provider
    kubeconfig: pulumi.Output[str]
    network: AwsNetwork


def build_eks(
    parent: pulumi.ComponentResource, name: str, eks: EksArgs, *, protect: bool
) -> EksResult:
    """VPC, IAM, the EKS cluster, nodes, add-ons AWS manages, and a provider for it."""
    aws_provider = aws.Provider(
        f"{name}-aws",
        region=eks.region,
        profile=eks.profile,
        assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=eks.role_arn)] if eks.role_arn else None,
        opts=child_opts(parent),
    )
    aws_opts = {"provider": aws_provider}
    tags = {"managed-by": "langsmith-dataplane", "cluster": name}
    vpc_id, vpc_cidr, private, public = build_vpc(parent, name, eks, tags, aws_opts)

    cluster_role, cluster_policy = iam.cluster_role(parent, name, tags, aws_opts)
    node_role, node_policies = iam.node_role(parent, name, tags, aws_opts)
    secrets_key = aws.kms.Key(
        f"{name}-secrets-key",
        description=f"EKS secrets encryption for {name}",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        tags=tags,
        opts=child_opts(parent, **aws_opts),
    )
    cluster = aws.eks.Cluster(
        f"{name}-eks",
        name=bounded_name(name, 100),
        version=eks.version,
        role_arn=cluster_role.arn,
        vpc_config={
            "subnet_ids": pulumi.Output.all(private, public).apply(lambda s: [*s[0], *s[1]]),
            "endpoint_private_access": True,
            "endpoint_public_access": True,
        },
        access_config={
            "authentication_mode": "API",
            "bootstrap_cluster_creator_admin_permissions": True,
        },
        encryption_config={"resources": ["secrets"], "provider": {"key_arn": secrets_key.arn}},
        enabled_cluster_log_types=["api", "audit", "authenticator"],
        tags=tags,
        opts=child_opts(parent, protect=protect, depends_on=[cluster_policy], **aws_opts),
    )
    cluster_sg = cluster.vpc_config.cluster_security_group_id
    node_sg = node_security_group(parent, name, eks, vpc_id, vpc_cidr, cluster_sg, tags, aws_opts)
    groups = node_groups(
        parent, name, eks, cluster, node_role, node_policies, node_sg, private, tags, aws_opts
    )
    # NetworkPolicies are enforced on EKS only by the VPC CNI's network policy agent: without
    # it every egress policy of the Egress component would be silently ignored.
    aws.eks.Addon(
        f"{name}-vpc-cni",
        cluster_name=cluster.name,
        addon_name="vpc-cni",
        configuration_values=json.dumps({"enableNetworkPolicy": "true"}),
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="OVERWRITE",
        tags=tags,
        opts=child_opts(parent, **aws_opts),
    )
    aws.eks.Addon(
        f"{name}-ebs-csi",
        cluster_name=cluster.name,
        addon_name="aws-ebs-csi-driver",
        resolve_conflicts_on_create="OVERWRITE",
        resolve_conflicts_on_update="PRESERVE",
        tags=tags,
        opts=child_opts(parent, depends_on=groups, **aws_opts),
    )

    def render(v: list[Any]) -> str:
        return kubeconfig_json(
            v[0], eks.region, v[1], v[2], role_arn=eks.role_arn, profile=eks.profile
        )

    parts = pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority.data)
    kubeconfig: pulumi.Output[str] = pulumi.Output.secret(parts.apply(render))
    network = AwsNetwork(aws_provider, vpc_id, vpc_cidr, private, node_sg.id)
    provider = k8s.Provider(
        cluster_provider(name),
        kubeconfig=kubeconfig,
        **PROVIDER_SETTINGS,
        opts=child_opts(parent, depends_on=groups),
    )
    k8s.storage.v1.StorageClass(
        f"{name}-gp3",
        metadata={
            "name": "gp3",
            "labels": base_labels(),
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        provisioner="ebs.csi.aws.com",
        parameters={"type": "gp3", "encrypted": "true"},
        volume_binding_mode="WaitForFirstConsumer",
        allow_volume_expansion=True,
        reclaim_policy="Retain" if protect else "Delete",
        opts=child_opts(parent, provider=provider),
    )
    return EksResult(provider, kubeconfig, network)


__all__ = [
    "EksArgs",
    "EksResult",
    "NodeGroup",
    "Vpc",
    "ami_type",
    "build_eks",
    "kubeconfig_json",
    "subnet_cidrs",
]
