"""A new Amazon EKS cluster for the data plane, declared under the `Cluster` component.

The VPC (or the given one), IAM roles, the cluster with secrets encrypted by a KMS key, a node
security group with standalone rules (the Egress component adds the topology's destinations),
managed node groups, the VPC CNI with network policy enforcement, the EBS CSI add-on, a default
encrypted gp3 StorageClass, and the Kubernetes provider built from the cluster's kubeconfig.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components._common import base_labels, child_opts, slug
from components.aws_network import AwsNetwork
from langsmith_dataplane.naming import bounded_name, cluster_provider
from langsmith_dataplane.topology.schema import EksSpec

NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
)
_ARM_FAMILY = re.compile(r"^[a-z]+\d+[a-z]*g[a-z]*\.")


def ami_type(instance_type: str) -> str:
    """Graviton families (m7g, c6gn, t4g, ...) need the ARM AMI."""
    return (
        "AL2023_ARM_64_STANDARD" if _ARM_FAMILY.match(instance_type) else "AL2023_x86_64_STANDARD"
    )


def subnet_cidrs(vpc_cidr: str) -> tuple[list[str], list[str]]:
    """Two private and two public subnets: the first and the ninth /+4 blocks of the VPC."""
    blocks = list(ipaddress.ip_network(vpc_cidr).subnets(prefixlen_diff=4))
    return [str(blocks[0]), str(blocks[1])], [str(blocks[8]), str(blocks[9])]


def _assume_role(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )


def kubeconfig_json(name: str, region: str, endpoint: str, ca_data: str) -> str:
    """A kubeconfig that authenticates with `aws eks get-token` (no static credentials)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": name,
                    "cluster": {"server": endpoint, "certificate-authority-data": ca_data},
                }
            ],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                name,
                                "--region",
                                region,
                            ],
                        }
                    },
                }
            ],
        }
    )


@dataclass(frozen=True)
class EksResult:
    provider: k8s.Provider
    kubeconfig: pulumi.Output[str]
    network: AwsNetwork


def build_eks(
    parent: pulumi.ComponentResource, name: str, eks: EksSpec, *, protect: bool
) -> EksResult:
    """VPC, IAM, the EKS cluster, nodes, add-ons AWS manages, and a provider for it."""
    aws_provider = aws.Provider(f"{name}-aws", region=eks.region, opts=child_opts(parent))
    aws_opts = {"provider": aws_provider}
    tags = {"managed-by": "langsmith-dataplane", "cluster": name}
    vpc_id, vpc_cidr, private, public = _vpc(parent, name, eks, tags, aws_opts)

    cluster_role = aws.iam.Role(
        f"{name}-cluster-role",
        assume_role_policy=_assume_role("eks.amazonaws.com"),
        tags=tags,
        opts=child_opts(parent, **aws_opts),
    )
    cluster_policy = aws.iam.RolePolicyAttachment(
        f"{name}-cluster-policy",
        role=cluster_role.name,
        policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        opts=child_opts(parent, **aws_opts),
    )
    node_role = aws.iam.Role(
        f"{name}-node-role",
        assume_role_policy=_assume_role("ec2.amazonaws.com"),
        tags=tags,
        opts=child_opts(parent, **aws_opts),
    )
    node_policies = [
        aws.iam.RolePolicyAttachment(
            f"{name}-node-{arn.rsplit('/', 1)[1].lower()}",
            role=node_role.name,
            policy_arn=arn,
            opts=child_opts(parent, **aws_opts),
        )
        for arn in NODE_POLICIES
    ]
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
    node_sg = _node_security_group(parent, name, eks, vpc_id, vpc_cidr, cluster_sg, tags, aws_opts)
    node_groups = _node_groups(
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
        opts=child_opts(parent, depends_on=node_groups, **aws_opts),
    )
    kubeconfig = pulumi.Output.secret(
        pulumi.Output.all(cluster.name, cluster.endpoint, cluster.certificate_authority.data).apply(
            lambda v: kubeconfig_json(v[0], eks.region, v[1], v[2])
        )
    )
    network = AwsNetwork(aws_provider, vpc_id, vpc_cidr, private, node_sg.id)
    provider = k8s.Provider(
        cluster_provider(name),
        kubeconfig=kubeconfig,
        opts=child_opts(parent, depends_on=node_groups),
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


def _vpc(
    parent: pulumi.ComponentResource,
    name: str,
    eks: EksSpec,
    tags: dict[str, str],
    aws_opts: dict[str, Any],
) -> tuple[
    pulumi.Input[str], pulumi.Input[str], pulumi.Output[list[str]], pulumi.Output[list[str]]
]:
    invoke = pulumi.InvokeOptions(provider=aws_opts["provider"], parent=parent)
    if eks.vpc is not None:
        vpc = aws.ec2.get_vpc_output(id=eks.vpc.id, opts=invoke)
        subnets = pulumi.Output.from_input(list(eks.vpc.subnet_ids))
        return eks.vpc.id, vpc.cidr_block, subnets, pulumi.Output.from_input([])
    zones = aws.get_availability_zones_output(state="available", opts=invoke)
    vpc = aws.ec2.Vpc(
        f"{name}-vpc",
        cidr_block=eks.vpc_cidr,
        enable_dns_hostnames=True,
        enable_dns_support=True,
        tags={**tags, "Name": f"{name}-data-plane"},
        opts=child_opts(parent, **aws_opts),
    )
    gateway = aws.ec2.InternetGateway(
        f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=child_opts(parent, **aws_opts)
    )
    private_cidrs, public_cidrs = subnet_cidrs(eks.vpc_cidr)
    cluster_tag = {f"kubernetes.io/cluster/{name}": "shared"}

    def subnet(kind: str, index: int, cidr: str, role_tag: str) -> aws.ec2.Subnet:
        return aws.ec2.Subnet(
            f"{name}-{kind}-{index}",
            vpc_id=vpc.id,
            cidr_block=cidr,
            availability_zone=zones.names.apply(lambda names, i=index: names[i]),
            map_public_ip_on_launch=False,
            tags={**tags, **cluster_tag, role_tag: "1", "Name": f"{name}-{kind}-{index}"},
            opts=child_opts(parent, **aws_opts),
        )

    public = [subnet("public", i, c, "kubernetes.io/role/elb") for i, c in enumerate(public_cidrs)]
    private = [
        subnet("private", i, c, "kubernetes.io/role/internal-elb")
        for i, c in enumerate(private_cidrs)
    ]
    nat_ip = aws.ec2.Eip(
        f"{name}-nat-ip", domain="vpc", tags=tags, opts=child_opts(parent, **aws_opts)
    )
    nat = aws.ec2.NatGateway(
        f"{name}-nat",
        subnet_id=public[0].id,
        allocation_id=nat_ip.id,
        tags=tags,
        opts=child_opts(parent, depends_on=[gateway], **aws_opts),
    )
    for kind, subnets, target in (("public", public, gateway), ("private", private, nat)):
        table = aws.ec2.RouteTable(
            f"{name}-{kind}-routes", vpc_id=vpc.id, tags=tags, opts=child_opts(parent, **aws_opts)
        )
        aws.ec2.Route(
            f"{name}-{kind}-default-route",
            route_table_id=table.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=target.id if kind == "public" else None,
            nat_gateway_id=target.id if kind == "private" else None,
            opts=child_opts(parent, **aws_opts),
        )
        for i, sub in enumerate(subnets):
            aws.ec2.RouteTableAssociation(
                f"{name}-{kind}-{i}-routes",
                subnet_id=sub.id,
                route_table_id=table.id,
                opts=child_opts(parent, **aws_opts),
            )
    return (
        vpc.id,
        vpc.cidr_block,
        pulumi.Output.all(*[s.id for s in private]),
        pulumi.Output.all(*[s.id for s in public]),
    )


def _node_security_group(
    parent: pulumi.ComponentResource,
    name: str,
    eks: EksSpec,
    vpc_id: pulumi.Input[str],
    vpc_cidr: pulumi.Input[str],
    cluster_sg: pulumi.Input[str],
    tags: dict[str, str],
    aws_opts: dict[str, Any],
) -> aws.ec2.SecurityGroup:
    """Nodes get their own security group, with no egress but what the rules below allow.

    Rules are standalone resources, never inline blocks, so the Egress component can add the
    topology's destinations without the two fighting over the group.
    """
    node_sg = aws.ec2.SecurityGroup(
        f"{name}-nodes",
        vpc_id=vpc_id,
        description=f"LangSmith data plane {name}: worker nodes",
        tags={**tags, f"kubernetes.io/cluster/{name}": "owned"},
        opts=child_opts(parent, **aws_opts),
    )
    rules: list[tuple[str, type, dict[str, Any]]] = [
        (
            "from-nodes",
            aws.vpc.SecurityGroupIngressRule,
            {"referenced_security_group_id": node_sg.id, "ip_protocol": "-1"},
        ),
        (
            "from-control-plane-443",
            aws.vpc.SecurityGroupIngressRule,
            {
                "referenced_security_group_id": cluster_sg,
                "ip_protocol": "tcp",
                "from_port": 443,
                "to_port": 443,
            },
        ),
        (
            "from-control-plane-kubelet",
            aws.vpc.SecurityGroupIngressRule,
            {
                "referenced_security_group_id": cluster_sg,
                "ip_protocol": "tcp",
                "from_port": 1025,
                "to_port": 65535,
            },
        ),
        (
            "to-vpc",
            aws.vpc.SecurityGroupEgressRule,
            {"cidr_ipv4": vpc_cidr, "ip_protocol": "-1"},
        ),
    ]
    for cidr in eks.registry_egress_cidrs:
        rules.append(
            (
                f"to-registries-{slug(cidr)}",
                aws.vpc.SecurityGroupEgressRule,
                {"cidr_ipv4": cidr, "ip_protocol": "tcp", "from_port": 443, "to_port": 443},
            )
        )
    for suffix, rule_type, props in rules:
        rule_type(
            f"{name}-nodes-{suffix}",
            security_group_id=node_sg.id,
            description=f"{suffix.replace('-', ' ')}",
            **props,
            opts=child_opts(parent, **aws_opts),
        )
    aws.vpc.SecurityGroupIngressRule(
        f"{name}-control-plane-from-nodes",
        security_group_id=cluster_sg,
        referenced_security_group_id=node_sg.id,
        ip_protocol="tcp",
        from_port=443,
        to_port=443,
        description="Kubernetes API from the worker nodes",
        opts=child_opts(parent, **aws_opts),
    )
    return node_sg


def _node_groups(
    parent: pulumi.ComponentResource,
    name: str,
    eks: EksSpec,
    cluster: aws.eks.Cluster,
    node_role: aws.iam.Role,
    node_policies: list[aws.iam.RolePolicyAttachment],
    node_sg: aws.ec2.SecurityGroup,
    private: pulumi.Input[list[str]],
    tags: dict[str, str],
    aws_opts: dict[str, Any],
) -> list[aws.eks.NodeGroup]:
    groups = []
    for group_name, group in sorted(eks.node_groups.items()):
        template = aws.ec2.LaunchTemplate(
            f"{name}-{group_name}-template",
            vpc_security_group_ids=[node_sg.id],
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": group.disk_size_gb,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 2},
            tags=tags,
            opts=child_opts(parent, **aws_opts),
        )
        groups.append(
            aws.eks.NodeGroup(
                f"{name}-{group_name}",
                cluster_name=cluster.name,
                node_group_name=group_name,
                node_role_arn=node_role.arn,
                subnet_ids=private,
                instance_types=[group.instance_type],
                ami_type=ami_type(group.instance_type),
                scaling_config={
                    "min_size": group.min_size,
                    "max_size": group.max_size,
                    "desired_size": group.desired_size
                    if group.desired_size is not None
                    else group.min_size,
                },
                launch_template={
                    "id": template.id,
                    "version": template.latest_version.apply(str),
                },
                update_config={"max_unavailable": 1},
                tags=tags,
                opts=child_opts(
                    parent,
                    depends_on=node_policies,
                    ignore_changes=["scalingConfig.desiredSize"],  # the autoscaler owns it
                    **aws_opts,
                ),
            )
        )
    return groups
