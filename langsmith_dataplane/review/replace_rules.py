"""Which changed inputs a provider cannot update in place (the change is a delete + create).

Kept beside the providers' own lists (pulumi-kubernetes `forceNewProperties`, the AWS
provider's `ForceNew` schema fields), for the types this program declares.
"""

from __future__ import annotations

from collections.abc import Iterable

from langsmith_dataplane.review.plan import replaced_by
from langsmith_dataplane.simulation import RecordedResource

# Input paths the provider cannot change in place (a change means delete + create).
_K8S_IDENTITY = ("metadata.name", "metadata.namespace", "apiVersion", "kind")
REPLACE_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:apps/v1:StatefulSet": (
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
        "spec.podManagementPolicy",
    ),
    "kubernetes:batch/v1:Job": ("spec.template", "spec.selector", "spec.completions"),
    "kubernetes:core/v1:Service": ("spec.clusterIP",),
    "kubernetes:core/v1:Secret": ("type",),
    "kubernetes:storage.k8s.io/v1:StorageClass": ("provisioner", "parameters", "reclaimPolicy"),
    "kubernetes:helm.sh/v3:Release": ("name", "namespace"),
    "aws:rds/instance:Instance": (
        "identifier",
        "engine",
        "storageEncrypted",
        "username",
        "dbSubnetGroupName",
        "kmsKeyId",
    ),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "replicationGroupId",
        "engine",
        "atRestEncryptionEnabled",
        "subnetGroupName",
        "port",
    ),
    "aws:eks/cluster:Cluster": ("name", "roleArn", "encryptionConfig"),
    "aws:eks/nodeGroup:NodeGroup": (
        "nodeGroupName",
        "clusterName",
        "subnetIds",
        "instanceTypes",
        "amiType",
        "nodeRoleArn",
    ),
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone", "vpcId"),
    "aws:ec2/securityGroup:SecurityGroup": ("vpcId", "description", "name"),
    "aws:rds/subnetGroup:SubnetGroup": ("name",),
    "random:index/randomPassword:RandomPassword": (
        "length",
        "special",
        "upper",
        "lower",
        "numeric",
    ),
    "pulumi-python:dynamic:Resource": ("compute_id", "workspace_id", "base_url"),
}


def forces_replacement(resource: RecordedResource, paths: Iterable[str]) -> list[str]:
    type_ = resource.type
    rules = REPLACE_PATHS.get(type_, ())
    if type_.startswith("kubernetes:") and type_ != "kubernetes:helm.sh/v3:Release":
        rules = (*rules, *_K8S_IDENTITY)
    if type_ == "pulumi-python:dynamic:Resource":
        rules = replaced_by(resource)
    return [p for p in paths if any(p == r or p.startswith(f"{r}.") for r in rules)]
