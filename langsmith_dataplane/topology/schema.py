"""The topology file's typed schema (pydantic v2; YAML keys are camelCase).

The schema describes structure and types only. Checks that need the whole file (references,
shared namespaces, one cluster per stack) or that should not hide other errors (name formats,
UUIDs, CIDRs) live in `rules.py`, so one bad name does not stop the rest of the file from being
checked. Field descriptions end up in `topology.schema.json`, which editors use for completion.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

# Patterns are advertised to editors through the JSON Schema; `rules.py` enforces them with
# positioned messages.
RFC1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
LABEL_VALUE = r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
CONFIG_KEY = r"^[A-Za-z][A-Za-z0-9_.-]*(:[A-Za-z][A-Za-z0-9_.-]*)?$"

Region = Literal["us", "eu", "apac", "aws-us"]
IngressKind = Literal["ingress", "gateway", "istio"]


def _names(pattern: str, what: str) -> dict:
    return {"propertyNames": {"pattern": pattern}, "description": what}


class _Model(BaseModel):
    """Strict camelCase models: no coercion (`1.30` stays a float and is reported), no extras."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=False,  # YAML keys are camelCase only: `egress_cidrs` is an unknown key
        strict=True,
        frozen=True,
    )


def _exactly_one(model: BaseModel, *fields: str) -> None:
    given = [f for f in fields if getattr(model, f) is not None]
    if len(given) != 1:
        names = " or ".join(f"'{to_camel(f)}'" for f in fields)
        if not given:
            raise ValueError(f"needs one of {names}")
        raise ValueError(f"needs exactly one of {names}, not both")


class ControlPlaneSpec(_Model):
    """Where the LangChain-hosted control plane lives."""

    region: Region | None = Field(
        None,
        description="LangSmith region of the control plane: us, eu, apac or aws-us. "
        "Omit only for a self-hosted control plane (give both URLs instead).",
    )
    host_backend_url: str | None = Field(
        None,
        description="Self-hosted control plane: host backend URL (https://...). Default: "
        "<smithBackendUrl's base>/api-host.",
    )
    smith_backend_url: str | None = Field(
        None,
        description="Self-hosted control plane: LangSmith API URL, as documented "
        "(https://langsmith.example.com/api/v1) or its base; the platform API, the control "
        "plane and the workloads' LANGSMITH_ENDPOINT (<base>/api/v1) are derived from it.",
    )
    egress_cidrs: list[str] | None = Field(
        None,
        description="Addresses the data plane may reach the control plane at, on TCP 443. "
        "Defaults to the addresses LangChain publishes for the region; required when the "
        "control plane is self-hosted.",
    )
    beacon_cidrs: list[str] | None = Field(
        None,
        description="Addresses of beacon.langchain.com (license checks and usage reporting of "
        "standalone Agent Servers), on TCP 443. Default: LangChain's published US ingress "
        "addresses, which serve the beacon for every region.",
    )
    air_gapped: bool = Field(
        False,
        description="Standalone Agent Servers run with an offline license and never reach "
        "beacon.langchain.com (no beacon egress at all).",
    )
    organization_id: str | None = Field(
        None,
        description="LangSmith organisation id (UUID). Needed only when the stacks create "
        "something: a workspace without an `id`, or service keys for a workspace without "
        "`apiKey`.",
        json_schema_extra={"pattern": UUID_PATTERN},
    )
    admin_key: str | None = Field(
        None,
        description="NAME of the Pulumi secret config value holding an organisation admin's "
        "API key (creates workspaces and their service keys). Never the key itself; needed "
        "with `organizationId`.",
        json_schema_extra={"pattern": CONFIG_KEY},
    )

    @model_validator(mode="after")
    def _region_or_urls(self) -> ControlPlaneSpec:
        urls = (self.host_backend_url, self.smith_backend_url)
        if self.region is not None and any(urls):
            raise ValueError("give either 'region' or the backend URLs, not both")
        if self.region is None and not self.smith_backend_url:
            raise ValueError(
                "needs 'region' (us, eu, apac, aws-us), or 'smithBackendUrl' (and optionally "
                "'hostBackendUrl', default <base>/api-host) for a self-hosted control plane"
            )
        return self


class ServiceKeysSpec(_Model):
    """The service keys the stacks create for a workspace's listeners and Agent Servers."""

    role: str = Field(
        "Editor",
        min_length=1,
        description="Workspace role of each key, by name or display name (default Editor: "
        "deploys and traces, cannot manage the workspace or its keys). Organisations without "
        "RBAC have only Admin.",
    )
    generation: int = Field(
        1,
        ge=1,
        le=1_000_000,
        description="Raise it to rotate every key of the workspace: `pulumi up` creates the "
        "new keys, rolls the Secrets and releases, then revokes the old keys.",
    )


class WorkspaceSpec(_Model):
    """A LangSmith workspace: referenced by `id`, or created by the stack named in `owner`."""

    id: str | None = Field(
        None,
        description="Workspace id (UUID) of a workspace made elsewhere: referenced, never "
        "created or deleted. Omit it to have the `owner` stack create the workspace.",
        json_schema_extra={"pattern": UUID_PATTERN},
    )
    api_key: str | None = Field(
        None,
        description="NAME of the Pulumi secret config value holding a key made elsewhere "
        "(set it with `pulumi config set --secret <name> ...`). Never the key itself. Omit it "
        "and each listener and Agent Server gets its own service key, created by its stack.",
        json_schema_extra={"pattern": CONFIG_KEY},
    )
    display_name: str | None = Field(
        None,
        description="Created workspaces: the name LangSmith shows (default: the workspace's "
        "key). Letters, digits, spaces and - _ ' @ ( ).",
    )
    handle: str | None = Field(
        None,
        description="Created workspaces: the workspace handle (lowercase letters, digits and "
        "'-'). Other stacks find the workspace by it, so it is required when a stack other "
        "than the owner deploys into the workspace.",
    )
    owner: str | None = Field(
        None, description="Created workspaces: the stack that creates (and keeps) it."
    )
    allow_deletion: bool = Field(
        False,
        description="Created workspaces: delete the workspace, with its traces and datasets, "
        "when it leaves the topology. Default false: it is kept in LangSmith and only "
        "forgotten by the stack.",
    )
    adopt: str | None = Field(
        None,
        description="Created workspaces: the id (UUID) of a workspace that already exists, for "
        "the `owner` stack to take over (rename, make keys in) instead of creating one. Nothing "
        "that exists is ever taken over without it: a `handle` someone else holds is an error "
        "naming this field. An adopted workspace is deleted only with `allowDeletion: true`.",
        json_schema_extra={"pattern": UUID_PATTERN},
    )
    service_keys: ServiceKeysSpec | None = Field(
        None,
        description="Role and rotation of the keys the stacks create (workspaces without "
        "`apiKey`).",
    )


class NodeGroupSpec(_Model):
    instance_type: str = Field(description="EC2 instance type, e.g. m6i.2xlarge.")
    min_size: int = Field(ge=0, le=1000, description="Minimum number of nodes.")
    max_size: int = Field(ge=1, le=1000, description="Maximum number of nodes.")
    desired_size: int | None = Field(
        None, ge=0, le=1000, description="Initial number of nodes (default: minSize)."
    )
    disk_size_gb: int = Field(
        50, ge=20, le=16384, description="Root volume size of each node, in GiB."
    )


class VpcSpec(_Model):
    """An existing VPC to place the cluster in (default: a new VPC)."""

    id: str = Field(description="VPC id (vpc-...).")
    subnet_ids: list[str] = Field(
        min_length=2, description="Private subnet ids in at least two availability zones."
    )


class EksSpec(_Model):
    """A new Amazon EKS cluster created by the stack that owns it."""

    region: str = Field(description="AWS region, e.g. us-east-1.")
    version: str = Field(description='Kubernetes version, quoted: "1.33".')
    node_groups: Annotated[
        dict[str, NodeGroupSpec],
        Field(min_length=1, json_schema_extra=_names(RFC1123_LABEL, "Managed node groups.")),
    ]
    vpc: VpcSpec | None = None
    vpc_cidr: str = Field("10.0.0.0/16", description="CIDR of the new VPC (ignored with 'vpc').")
    registry_egress_cidrs: list[str] = Field(
        default_factory=lambda: ["0.0.0.0/0"],
        description="Where nodes may open TCP 443 for image registries and AWS APIs. Narrow it "
        "when the VPC has endpoints and a registry mirror.",
    )
    role_arn: str | None = Field(
        None,
        description="IAM role the stack assumes for this cluster: the AWS provider that creates "
        "it and the exported kubeconfig (`aws eks get-token --role-arn`) both use it, e.g. "
        "arn:aws:iam::123456789012:role/data-plane-deployer. Default: the ambient credentials.",
    )
    profile: str | None = Field(
        None,
        description="AWS shared-config profile for this cluster, used by the AWS provider and "
        "set as AWS_PROFILE in the exported kubeconfig. Default: the ambient credentials.",
    )


class ExistingClusterSpec(_Model):
    """A cluster that exists already, reached through a kubeconfig context."""

    context: str = Field(description="kubeconfig context name.")
    kubeconfig: str | None = Field(
        None, description="Path of the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)."
    )


class GatewayRefSpec(_Model):
    """The Gateway (Gateway API) or Istio gateway that routes to Agent Server deployments."""

    name: str = Field(description="Gateway name.")
    namespace: str = Field(description="Namespace of the Gateway.")


class AddonsSpec(_Model):
    """Cluster add-ons the stack installs. Turn one off when the cluster already runs it."""

    keda: bool = Field(True, description="KEDA (the operator scales Agent Servers with it).")
    metrics_server: bool = Field(True, description="metrics-server (resource metrics).")
    gateway_controller: bool = Field(
        True, description="Envoy Gateway, the Gateway API implementation (ingress: gateway)."
    )
    ingress_controller: bool = Field(
        True,
        description="Traefik as the Ingress controller, IngressClass 'traefik' (ingress: "
        "ingress). Turn it off and set 'ingressClassName' when the cluster runs its own.",
    )


class TlsSpec(_Model):
    """HTTPS for the Agent Server deployments (the operator then advertises https URLs)."""

    secret_name: str | None = Field(
        None,
        description="kubernetes.io/tls Secret with the certificate for 'hostname': in the "
        "Gateway's namespace (ingress: gateway without 'gateway'), or in the listener's "
        "namespace (ingress: ingress). Omit it when your own gateway terminates TLS.",
    )


class ClusterSpec(_Model):
    """A Kubernetes cluster of the data plane: exactly one of 'eks' or 'existing'."""

    eks: EksSpec | None = None
    existing: ExistingClusterSpec | None = None
    ingress: IngressKind = Field(
        "ingress",
        description="How Agent Servers are exposed: ingress (one listener with one namespace "
        "only), gateway (Gateway API) or istio. Several listeners in one cluster, or a listener "
        "with several namespaces, need gateway or istio.",
    )
    hostname: str | None = Field(
        None,
        description="Hostname the Agent Server deployments are served under. Without it the "
        "listener's health check of each deployment (GET /ok through the hostname) is off.",
    )
    gateway: GatewayRefSpec | None = Field(
        None,
        description="Existing Gateway to attach routes to: optional with ingress: gateway "
        "(default: the stack's Envoy Gateway), required with ingress: istio.",
    )
    ingress_class_name: str | None = Field(
        None,
        description="IngressClass for ingress: ingress (default: 'traefik', installed by the "
        "stack; with addons.ingressController false, the cluster's default class).",
    )
    tls: TlsSpec | None = Field(
        None, description="Serve the deployments over HTTPS (default: HTTP only)."
    )
    addons: AddonsSpec = Field(
        default_factory=AddonsSpec, description="Cluster add-ons to install."
    )

    @model_validator(mode="after")
    def _one_kind(self) -> ClusterSpec:
        _exactly_one(self, "eks", "existing")
        return self


class StoreResourcesSpec(_Model):
    """Requests and limits of an in-cluster store's pod (Kubernetes quantities)."""

    cpu: str = Field("250m", description="CPU request ('250m', '1').")
    memory: str = Field("512Mi", description="Memory request ('512Mi', '2Gi').")
    cpu_limit: str = Field("2", description="CPU limit.")
    memory_limit: str = Field("2Gi", description="Memory limit.")

    def as_kubernetes(self) -> dict[str, dict[str, str]]:
        return {
            "requests": {"cpu": self.cpu, "memory": self.memory},
            "limits": {"cpu": self.cpu_limit, "memory": self.memory_limit},
        }


class InClusterPostgresSpec(_Model):
    """A Postgres StatefulSet (pgvector) in the listener's release namespace."""

    storage_gb: int = Field(10, ge=1, le=65536, description="Volume size in GiB.")
    storage_class: str | None = Field(None, description="StorageClass (default: the cluster's).")
    max_connections: int = Field(
        300,
        ge=20,
        le=10000,
        description="Postgres max_connections. Standalone Agent Servers size their connection "
        "pool (LANGGRAPH_POSTGRES_POOL_MAX_SIZE) to fit it.",
    )
    resources: StoreResourcesSpec = Field(default_factory=StoreResourcesSpec)


class RdsPostgresSpec(_Model):
    """An Amazon RDS for PostgreSQL instance (EKS clusters only)."""

    instance_class: str = Field(description="RDS instance class, e.g. db.t4g.large.")
    storage_gb: int = Field(20, ge=20, le=65536, description="Allocated storage in GiB.")
    engine_version: str = Field("16", description="PostgreSQL major version.")
    multi_az: bool = Field(False, description="Standby in a second availability zone.")
    backup_retention_days: int = Field(7, ge=1, le=35, description="Automated backup retention.")


class PostgresSpec(_Model):
    """The Postgres the listener's Agent Servers use: exactly one of inCluster or rds."""

    in_cluster: InClusterPostgresSpec | None = None
    rds: RdsPostgresSpec | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> PostgresSpec:
        _exactly_one(self, "in_cluster", "rds")
        return self


class InClusterRedisSpec(_Model):
    """A Redis StatefulSet in the listener's release namespace."""

    storage_gb: int = Field(8, ge=1, le=65536, description="Volume size in GiB.")
    storage_class: str | None = Field(None, description="StorageClass (default: the cluster's).")
    resources: StoreResourcesSpec = Field(
        default_factory=lambda: StoreResourcesSpec(
            cpu="100m", memory="256Mi", cpuLimit="1", memoryLimit="1Gi"
        )
    )


class ElastiCacheRedisSpec(_Model):
    """An Amazon ElastiCache replication group with TLS and an auth token (EKS clusters only)."""

    node_type: str = Field(description="Cache node type, e.g. cache.t4g.medium.")
    engine_version: str = Field("7.1", description="Redis engine version.")
    replicas: int = Field(1, ge=0, le=5, description="Read replicas (1+ enables failover).")


class RedisSpec(_Model):
    """The Redis the listener and its Agent Servers use: exactly one of inCluster or elasticache."""

    in_cluster: InClusterRedisSpec | None = None
    elasticache: ElastiCacheRedisSpec | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> RedisSpec:
        _exactly_one(self, "in_cluster", "elasticache")
        return self


def _env_field() -> Any:
    return Field(default_factory=dict, description="Plain environment variables (name -> value).")


def _secret_env_field() -> Any:
    return Field(
        default_factory=dict,
        description="Secret environment variables: name -> NAME of a Pulumi secret config value.",
        json_schema_extra={"additionalProperties": {"type": "string", "pattern": CONFIG_KEY}},
    )


class DeploymentResourcesSpec(_Model):
    """The control plane's resource spec of a deployment (`source_config.resource_spec`)."""

    min_scale: int | None = Field(
        None,
        ge=1,
        description="Minimum number of replicas (at least 1: LangSmith advises against "
        "scaling Agent Servers to zero).",
    )
    max_scale: int | None = Field(None, ge=1, le=1000, description="Maximum number of replicas.")
    cpu: float | None = Field(None, ge=0.1, le=8, description="CPU request in cores per replica.")
    cpu_limit: float | None = Field(None, ge=0.1, le=16, description="CPU limit in cores.")
    memory_mb: int | None = Field(
        None, ge=1, le=1_048_576, description="Memory request (MB) per replica."
    )
    memory_limit_mb: int | None = Field(
        None, ge=1, le=1_048_576, description="Memory limit (MB) per replica."
    )


def _adopt_field() -> Any:
    return Field(
        None,
        description="The id (UUID) of a deployment of this name that already exists (made in the "
        "UI or by another tool), for the stack to take over. Nothing that exists is taken over "
        "without it: a deployment of this name the stack did not make is an error naming this "
        "field.",
        json_schema_extra={"pattern": UUID_PATTERN},
    )


def _delete_tracing_field() -> Any:
    return Field(
        False,
        description="When the deployment is deleted (removed from the topology, or `pulumi "
        "destroy`), also delete its tracing project and the traces in it. Default false: the "
        "traces stay.",
    )


class DeploymentSpec(_Model):
    """An Agent Server deployment: its own database and Redis DB number and, with `image`, the
    deployment itself, created in LangSmith by `pulumi up` (no UI step)."""

    redis_db: int = Field(
        ge=0,
        le=1_000_000,
        description="Redis DB number, 1-15, unique within the listener (0 is the listener's own).",
    )
    image: str | None = Field(
        None,
        description="Image reference built with `langgraph build` and pushed, e.g. "
        "registry.example.com/support-bot:1.4.2. Without it the entry only reserves the database "
        "and Redis DB; with it `pulumi up` creates the deployment; a new image is a new revision.",
    )
    namespace: str | None = Field(
        None,
        description="The listener namespace the deployment runs in (required when the listener "
        "watches several).",
    )
    env: dict[str, str] = _env_field()
    secret_env: dict[str, str] = _secret_env_field()
    resources: DeploymentResourcesSpec | None = Field(
        None, description="Replicas, CPU and memory (the API's resource spec)."
    )
    custom_url: str | None = Field(
        None, description="The URL the deployment is reached at (https://...), if not derived."
    )
    adopt: str | None = _adopt_field()
    delete_tracing_project: bool = _delete_tracing_field()
    image_pull_secrets: list[str] = Field(
        default_factory=list,
        description="Names of kubernetes.io/dockerconfigjson Secrets in the deployment's "
        "namespace for a private registry (yours to create).",
    )


class ResourceQuotaSpec(_Model):
    """A ResourceQuota applied to each watched namespace."""

    cpu: str | None = Field(None, description="Total CPU requests, e.g. '16'.")
    memory: str | None = Field(None, description="Total memory requests, e.g. '64Gi'.")
    pods: int | None = Field(None, ge=1, le=1_000_000, description="Maximum number of pods.")


class ListenerSpec(_Model):
    """One `langgraph-dataplane` release: a workspace's listener in one cluster."""

    workspace: str = Field(description="Key of the workspace (under 'workspaces').")
    cluster: str = Field(description="Key of the cluster (under 'clusters').")
    namespaces: list[str] = Field(
        min_length=1,
        description="Namespaces the listener deploys Agent Servers into (watchNamespaces).",
        json_schema_extra={"items": {"type": "string", "pattern": RFC1123_LABEL}},
    )
    compute_id: str | None = Field(
        None,
        description="Control plane compute id (default: the cluster name). Must be distinct for "
        "two listeners of one workspace in one cluster.",
    )
    listener_id: str | None = Field(
        None,
        description="Id (UUID) of a listener created already in LangSmith, used as it is (never "
        "registered, changed or deleted by the stack); without it the listener is registered "
        "by `pulumi up`.",
    )
    adopt: str | None = Field(
        None,
        description="Id (UUID) of a listener registered already with this compute id (by hand, "
        "or by a run that was killed), for the stack to take over: its namespaces follow the "
        "topology and a removal deletes it. Nothing registered is taken over without it.",
        json_schema_extra={"pattern": UUID_PATTERN},
    )
    renamed_from: str | None = Field(
        None, description="Previous key of this listener, so its resources are kept, not replaced."
    )
    postgres: PostgresSpec = Field(
        default_factory=lambda: PostgresSpec(inCluster=InClusterPostgresSpec()),
        description="Postgres for the Agent Servers (default: inCluster).",
    )
    redis: RedisSpec = Field(
        default_factory=lambda: RedisSpec(inCluster=InClusterRedisSpec()),
        description="Redis for the listener and Agent Servers (default: inCluster).",
    )
    deployments: Annotated[
        dict[str, DeploymentSpec],
        Field(
            default_factory=dict,
            json_schema_extra=_names(RFC1123_LABEL, "Agent Server deployments and their Redis DB."),
        ),
    ]
    resource_quota: ResourceQuotaSpec | None = Field(
        None, description="Optional ResourceQuota for each watched namespace."
    )

    @property
    def effective_compute_id(self) -> str:
        """The control plane's compute id: `computeId`, or the cluster name."""
        return self.compute_id or self.cluster


class ServerResourcesSpec(_Model):
    """Requests and limits of each Agent Server pod (API server and queue worker)."""

    cpu: str = Field("1", description="CPU request, a Kubernetes quantity ('1', '500m').")
    memory: str = Field("2Gi", description="Memory request, a Kubernetes quantity ('2Gi').")
    cpu_limit: str | None = Field(None, description="CPU limit (default: twice the request).")
    memory_limit: str | None = Field(None, description="Memory limit (default: twice the request).")


class AutoscalingSpec(_Model):
    """A HorizontalPodAutoscaler on CPU (needs metrics-server, which the stack then installs)."""

    max_replicas: int = Field(ge=1, le=1000, description="Most API server replicas.")
    target_cpu_percent: int = Field(
        80, ge=10, le=100, description="Average CPU utilisation the autoscaler aims for."
    )


class TolerationSpec(_Model):
    """A pod toleration (Kubernetes' own fields)."""

    key: str | None = None
    operator: Literal["Exists", "Equal"] = "Equal"
    value: str | None = None
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None


class QueueSpec(_Model):
    """A separate queue worker (the chart's `queue`); without it the API server runs the jobs."""

    enabled: bool = Field(False, description="Run the queue worker as its own Deployment.")
    replicas: int = Field(1, ge=1, le=1000, description="Queue worker replicas.")


class AgentServerSpec(_Model):
    """A standalone Agent Server (chart `langgraph-cloud`) that sends traces to LangSmith: no
    listener, no operator, no control-plane registration. Its own Postgres and Redis."""

    cluster: str = Field(description="Key of the cluster (under 'clusters').")
    namespace: str = Field(
        description="Namespace of its own (never a listener's watched namespace)."
    )
    workspace: str = Field(
        description="Key of the workspace whose API key it traces with (under 'workspaces')."
    )
    image: str = Field(
        description="The image you built with `langgraph build` and pushed, with a tag or digest."
    )
    license_key: str = Field(
        description="NAME of the Pulumi secret config value holding the LangGraph license key.",
        json_schema_extra={"pattern": CONFIG_KEY},
    )
    replicas: int = Field(1, ge=1, le=1000, description="API server replicas.")
    resources: ServerResourcesSpec = Field(default_factory=ServerResourcesSpec)
    queue: QueueSpec = Field(default_factory=QueueSpec)
    autoscaling: AutoscalingSpec | None = Field(
        None, description="Scale the API server on CPU between 'replicas' and 'maxReplicas'."
    )
    jobs_per_worker: int | None = Field(
        None,
        ge=1,
        le=1000,
        description="Background runs per worker (the chart's numberOfJobsPerWorker, default 10).",
    )
    node_selector: dict[str, str] = Field(
        default_factory=dict, description="Node labels the pods must run on."
    )
    tolerations: list[TolerationSpec] = Field(
        default_factory=list, description="Taints the pods tolerate."
    )
    image_pull_secrets: list[str] = Field(
        default_factory=list,
        description="Names of kubernetes.io/dockerconfigjson Secrets in the server's namespace "
        "for a private registry (yours to create).",
    )
    postgres: PostgresSpec = Field(
        default_factory=lambda: PostgresSpec(inCluster=InClusterPostgresSpec()),
        description="Its Postgres (>= 14; default inCluster), never shared.",
    )
    redis: RedisSpec = Field(
        default_factory=lambda: RedisSpec(inCluster=InClusterRedisSpec()),
        description="Its Redis (default inCluster), never shared.",
    )
    env: dict[str, str] = _env_field()
    secret_env: dict[str, str] = _secret_env_field()
    hostname: str | None = Field(
        None,
        description="The DNS name it is served under through the cluster's exposure (without "
        "it, it is reachable inside the cluster only).",
    )
    tls: TlsSpec | None = Field(
        None,
        description="Serve 'hostname' over HTTPS. 'secretName': a kubernetes.io/tls Secret "
        "for the hostname in the server's own namespace (the stack's Gateway or plain "
        "Ingress); omit it when your own Gateway or Istio terminates TLS.",
    )
    plain_http: bool = Field(
        False,
        description="Serve 'hostname' over plain HTTP although its cluster serves HTTPS: the "
        "callers' X-Api-Key headers then cross the network in clear, so only on a network you "
        "trust. Without it, a server under a TLS cluster needs 'tls'.",
    )
    auth: Literal["langsmith", "custom"] = Field(
        "langsmith",
        description="Who may call the server: 'langsmith' (default) accepts only requests with "
        "a LangSmith API key of the workspace; 'custom' leaves authentication to the auth "
        "handler your app ships in langgraph.json.",
    )
    tracing_project: str | None = Field(
        None, description="LangSmith project its traces go to (default: the server's name)."
    )


DeploymentType = Literal["dev_free", "dev", "prod"]


class GithubSourceSpec(_Model):
    """Where LangChain builds a Cloud SaaS deployment from: a GitHub repository the organisation's
    LangSmith GitHub App can read."""

    integration: str = Field(
        description="The GitHub integration (the LangSmith GitHub App installation, made in the "
        "UI): its name, resolved to the id at `pulumi up`, or its id (UUID)."
    )
    repository: str = Field(description="https://github.com/<owner>/<repo>")
    ref: str = Field(
        description="A branch name (`main`), or a tag as `refs/tags/<tag>`. A change makes a "
        "new revision."
    )
    config_path: str = Field(
        "langgraph.json",
        description="Path of `langgraph.json` in the repository (relative).",
    )
    build_on_push: bool = Field(
        False,
        description="LangChain builds a new revision on every push to the branch (never with a "
        "tag). Default false: revisions change only through the topology.",
    )


class CloudDeploymentSpec(_Model):
    """An Agent Server LangChain runs (Cloud SaaS), built from GitHub; keyed by its name."""

    workspace: str = Field(description="Key of the workspace (under 'workspaces').")
    stack: str = Field(description="The one stack that creates and updates this deployment.")
    github: GithubSourceSpec
    type: DeploymentType = Field(
        "dev",
        description="Deployment type, as the control-plane API accepts it: dev_free, dev or "
        "prod. Fixed after creation (a change replaces the deployment, with its threads).",
    )
    env: dict[str, str] = Field(
        default_factory=dict, description="Plain environment variables (not secrets)."
    )
    secret_env: dict[str, str] = Field(
        default_factory=dict,
        description="Variable -> NAME of the Pulumi secret config value holding it. Cloud SaaS "
        "has no cluster Secret: the value is sent to, and stored by, LangChain.",
        json_schema_extra={"additionalProperties": {"pattern": CONFIG_KEY}},
    )
    adopt: str | None = _adopt_field()
    delete_tracing_project: bool = _delete_tracing_field()


class EgressRuleSpec(_Model):
    """Extra egress the Agent Servers need (LLM providers, tools, ...)."""

    name: str = Field(description="Name of the rule (an RFC 1123 label).")
    cidrs: list[str] = Field(min_length=1, description="Destination CIDRs.")
    ports: list[int] = Field(min_length=1, description="Destination ports.")
    protocol: Literal["TCP", "UDP"] = Field("TCP", description="TCP or UDP.")


class EgressSpec(_Model):
    allow: list[EgressRuleSpec] = Field(default_factory=list, description="Allowed destinations.")


class StackSpec(_Model):
    """A Pulumi stack: the clusters it owns. Every cluster belongs to exactly one stack; a Cloud
    SaaS deployment names its stack itself."""

    clusters: list[str] = Field(
        default_factory=list,
        description="Keys of the clusters this stack owns (none for a stack that owns only "
        "Cloud SaaS deployments or workspaces).",
    )
    protect: bool = Field(
        False, description="Protect stateful resources (databases, caches, volumes) from deletion."
    )


class Topology(_Model):
    """A LangSmith hybrid data plane: workspaces, clusters, listeners, egress and stacks."""

    model_config = ConfigDict(title="LangSmith data plane topology")

    version: Literal[1] = Field(description="Topology format version: 1.")

    @field_validator("version", mode="before")
    @classmethod
    def _integer_version(cls, value: object) -> object:
        # `true == 1` and `1.0 == 1` in Python: Literal[1] alone would take both.
        if type(value) is not int:
            raise PydanticCustomError("literal_error", "Input should be 1", {"expected": "1"})
        return value

    control_plane: ControlPlaneSpec
    workspaces: Annotated[
        dict[str, WorkspaceSpec],
        Field(min_length=1, json_schema_extra=_names(LABEL_VALUE, "LangSmith workspaces.")),
    ]
    clusters: Annotated[
        dict[str, ClusterSpec],
        Field(
            default_factory=dict,
            json_schema_extra=_names(RFC1123_LABEL, "Kubernetes clusters (none for Cloud only)."),
        ),
    ]
    listeners: Annotated[
        dict[str, ListenerSpec],
        Field(
            default_factory=dict,
            json_schema_extra=_names(RFC1123_LABEL, "Listener releases, keyed by release name."),
        ),
    ]
    agent_servers: Annotated[
        dict[str, AgentServerSpec],
        Field(
            default_factory=dict,
            json_schema_extra=_names(RFC1123_LABEL, "Standalone Agent Servers, by release name."),
        ),
    ]
    cloud_deployments: Annotated[
        dict[str, CloudDeploymentSpec],
        Field(
            default_factory=dict,
            json_schema_extra=_names(
                RFC1123_LABEL, "Cloud SaaS deployments LangChain runs, built from GitHub, by name."
            ),
        ),
    ]
    egress: EgressSpec = Field(default_factory=EgressSpec)
    stacks: Annotated[
        dict[str, StackSpec],
        Field(min_length=1, json_schema_extra=_names(r"^[A-Za-z0-9_.-]+$", "Pulumi stacks.")),
    ]
