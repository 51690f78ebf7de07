"""What `pulumi up -s <stack>` declares, checked under Pulumi's mocks for every shipped stack."""

from __future__ import annotations

import ipaddress
from collections import Counter

import pytest

from langsmith_dataplane.control_plane import REGIONS
from langsmith_dataplane.naming import (
    cloud_deployment_resource,
    release_namespace,
    workspace_component,
)
from langsmith_dataplane.review.masking import reveal
from langsmith_dataplane.simulation import SIMULATED_SERVICE_KEY, Secret
from langsmith_dataplane.stack_slice import slice_for_stack
from tests.helpers import REPO
from tests.sim import (
    NETPOL,
    PLANTED_KEY,
    all_stacks,
    listener_releases,
    plain_strings,
    simulated,
    topology,
)

STACKS = all_stacks()
IDS = [f"{p.stem}:{s}" for p, s in STACKS]
DEFAULT = REPO / "topology.yaml"


def listeners_of(path, stack):
    return slice_for_stack(topology(path), stack).listeners


# -- resource types and counts ---


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_one_listener_component_and_release_per_listener(path, stack):
    sim = simulated(path, stack)
    plans = listeners_of(path, stack)
    assert {r.name for r in sim.by_type("langsmith:index:Listener")} == {p.key for p in plans}
    releases = listener_releases(sim)
    assert sorted(r.inputs["name"] for r in releases) == sorted(p.release_name for p in plans)
    clusters = slice_for_stack(topology(path), stack).clusters
    assert {r.name for r in sim.by_type("langsmith:index:Cluster")} == {c.name for c in clusters}


def top_level(sim):
    return {
        r.name
        for r in sim.resources
        if r.parent.endswith("::pulumi:pulumi:Stack::" + PROJECT_STACK(sim))
    }


def PROJECT_STACK(sim):  # noqa: N802 - reads like the URN part it is
    return f"langsmith-dataplane-{sim.stack}"


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_resources_of_other_stacks_are_absent(path, stack):
    """Only this stack's clusters, their listeners and their egress are declared."""
    sim = simulated(path, stack)
    model = topology(path)
    clusters = set(model.stacks[stack].clusters)
    listeners = {name for name, spec in model.listeners.items() if spec.cluster in clusters}
    servers = {name for name, spec in model.agent_servers.items() if spec.cluster in clusters}
    expected = clusters | listeners | servers
    expected |= {f"{c}-egress" for c in clusters} | {f"{c}-ingress" for c in clusters}
    expected |= {
        cloud_deployment_resource(name)
        for name, spec in model.cloud_deployments.items()
        if spec.stack == stack
    }
    # A `Workspace` component for each workspace it creates, finds or makes keys in.
    for target in slice_for_stack(model, stack).workspaces:
        if target.source != "referenced" or target.keys is not None:
            expected.add(workspace_component(target.key))
    assert top_level(sim) == expected
    foreign = (set(model.clusters) - clusters) | (set(model.listeners) - listeners)
    foreign |= set(model.agent_servers) - servers
    for resource in sim.resources:
        assert not any(resource.name == f or resource.name.startswith(f"{f}-") for f in foreign), (
            resource.urn
        )


def test_reference_stack_type_counts():
    """Exact inventory of the reference's prod-alpha stack: EKS, RDS, ElastiCache, 2 deployments."""
    counts = Counter(r.type for r in simulated(DEFAULT, "prod-alpha").resources)
    assert counts["aws:eks/cluster:Cluster"] == 1
    assert counts["aws:eks/nodeGroup:NodeGroup"] == 1
    assert counts["aws:eks/addon:Addon"] == 2  # vpc-cni (network policy), EBS CSI
    assert counts["aws:rds/instance:Instance"] == 1
    assert counts["aws:elasticache/replicationGroup:ReplicationGroup"] == 1
    assert counts["aws:ec2/subnet:Subnet"] == 4
    assert counts["kubernetes:storage.k8s.io/v1:StorageClass"] == 1
    # listener, KEDA, metrics-server, Traefik (plain Ingress)
    assert counts["kubernetes:helm.sh/v3:Release"] == 4
    assert counts["kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"] == 1
    assert counts["kubernetes:batch/v1:Job"] == 1  # creates the two deployment databases
    # plain Ingress: one namespace, release and agents. Egress: deny, dns, same-ns, control
    # plane, API server, stores, llm-provider (no hostname, so no health-check allowance).
    # Ingress: deny, same-ns, the Traefik proxies to the Agent Servers; the stores are
    # managed (RDS, ElastiCache), so no store policy.
    assert counts[NETPOL] == 10
    # a stores Secret per deployment, the API key, the Postgres admin and roles, Redis
    assert counts["kubernetes:core/v1:Secret"] == 6
    assert counts["kubernetes:apps/v1:StatefulSet"] == 0


def test_reference_dev_stack_type_counts():
    counts = Counter(r.type for r in simulated(DEFAULT, "dev").resources)
    assert counts["kubernetes:apps/v1:StatefulSet"] == 2  # Redis per listener (no deployments)
    assert counts["kubernetes:helm.sh/v3:Release"] == 5  # 2 listeners, KEDA, metrics, Envoy
    assert counts["kubernetes:gateway.networking.k8s.io/v1:Gateway"] == 1
    # Both listeners registered, and a guard before each of the 5 releases.
    assert counts["pulumi-python:dynamic:Resource"] == 2 + 5
    assert not [t for t in counts if t.startswith("aws:")]


# -- Helm values -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_the_cluster_not_a_release_owns_the_operator_crd(path, stack):
    sim = simulated(path, stack)
    assert not [
        r.name for r in listener_releases(sim) if r.inputs["values"]["operator"]["createCRDs"]
    ]
    crds = sim.by_type("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")
    clusters = slice_for_stack(topology(path), stack).clusters
    assert sorted(r.name for r in crds) == sorted(
        f"{c.name}-operator-crd" for c in clusters if c.listeners
    )
    protect = topology(path).stacks[stack].protect
    assert all(r.protect == protect for r in crds)
    assert all(r.inputs["metadata"]["name"] == "lgps.apps.langchain.ai" for r in crds)


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_listener_values(path, stack):
    sim = simulated(path, stack)
    model = topology(path)
    endpoints = REGIONS[model.control_plane.region]
    by_release = {r.inputs["name"]: r for r in listener_releases(sim)}
    queues = []
    for plan in listeners_of(path, stack):
        release = by_release[plan.release_name]
        values = reveal(release.inputs["values"])
        config = values["config"]
        assert config["watchNamespaces"] == ",".join(plan.spec.namespaces)
        assert config["hostBackendUrl"] == endpoints.host_backend_url
        assert config["smithBackendUrl"] == endpoints.smith_backend_url
        assert config["langsmithWorkspaceId"] == workspace_id(sim, plan)
        assert config["existingSecretName"] == f"{plan.release_name}-langsmith-api-key"
        assert "langsmithApiKey" not in config
        cluster = model.clusters[plan.cluster]
        if cluster.ingress == "ingress":  # the shared Ingress must sit with the Agent Servers
            assert release.inputs["namespace"] == plan.spec.namespaces[0]
        else:
            assert release.inputs["namespace"] == release_namespace(plan.identity)
        assert config["enableLGPDeploymentHealthCheck"] is bool(cluster.hostname)
        assert values["ingress"]["tlsEnabled"] is (cluster.tls is not None)
        assert "app.kubernetes.io/managed-by" not in values["commonLabels"]
        assert values["redis"]["external"] == {
            "enabled": True,
            "existingSecretName": f"{plan.release_name}-redis-connection",
        }
        kind = model.clusters[plan.cluster].ingress
        enabled = {key: values[key]["enabled"] for key in ("ingress", "gateway", "istioGateway")}
        expected = {"ingress": "ingress", "gateway": "gateway", "istio": "istioGateway"}[kind]
        assert [k for k, on in enabled.items() if on] == [expected]
        queues.append(config["hostQueue"])
    assert len(queues) == len(set(queues))


@pytest.mark.parametrize("region", ["us", "eu", "apac", "aws-us"])
def test_urls_and_egress_follow_the_region(region):
    from tests.helpers import REFERENCE_TEXT, edit
    from tests.sim import simulated_text

    sim = simulated_text(edit(REFERENCE_TEXT, "region: us\n", f"region: {region}\n"), "single")
    values = listener_releases(sim)[0].inputs["values"]["config"]
    assert values["hostBackendUrl"] == REGIONS[region].host_backend_url
    assert values["smithBackendUrl"] == REGIONS[region].smith_backend_url
    policy = next(
        r
        for r in sim.by_type(NETPOL)
        if r.inputs["metadata"]["name"] == "langsmith-allow-control-plane"
    )
    cidrs = [peer["ipBlock"]["cidr"] for peer in policy.inputs["spec"]["egress"][0]["to"]]
    assert cidrs == list(REGIONS[region].egress_cidrs)
    assert policy.inputs["spec"]["egress"][0]["ports"] == [{"protocol": "TCP", "port": 443}]


def test_egress_cidrs_override_the_region_table():
    from tests.helpers import REFERENCE_TEXT, edit
    from tests.sim import simulated_text

    text = edit(REFERENCE_TEXT, "region: us\n", "region: us\n  egressCidrs: [198.51.100.7/32]\n")
    sim = simulated_text(text, "dev")
    policies = [
        r
        for r in sim.by_type(NETPOL)
        if r.inputs["metadata"]["name"] == "langsmith-allow-control-plane"
    ]
    assert policies
    for policy in policies:
        assert policy.inputs["spec"]["egress"][0]["to"] == [
            {"ipBlock": {"cidr": "198.51.100.7/32"}}
        ]


# -- network policies ---


def policies_by_namespace(sim):
    out: dict[str, dict[str, dict]] = {}
    for r in sim.by_type(NETPOL):
        out.setdefault(r.inputs["metadata"]["namespace"], {})[r.inputs["metadata"]["name"]] = (
            r.inputs["spec"]
        )
    return out


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_every_listener_namespace_denies_egress_by_default(path, stack):
    policies = policies_by_namespace(simulated(path, stack))
    for plan in listeners_of(path, stack):
        for namespace in (plan.release_namespace, *plan.spec.namespaces):
            deny = policies[namespace]["langsmith-default-deny-egress"]
            assert deny == {"podSelector": {}, "policyTypes": ["Egress"]}
            assert "langsmith-allow-dns" in policies[namespace]
            assert "langsmith-allow-control-plane" in policies[namespace]


def test_kube_api_only_from_release_namespaces_and_allow_rules_only_for_agents():
    policies = policies_by_namespace(simulated(DEFAULT, "dev"))
    release, agents = policies["langgraph-a-dev"], policies["team-a"]
    assert release["langsmith-allow-kube-apiserver"]["egress"] == [
        {
            "to": [{"ipBlock": {"cidr": "10.100.0.10/32"}}],
            "ports": [{"protocol": "TCP", "port": 443}],
        }
    ]
    assert "langsmith-allow-kube-apiserver" not in agents
    assert agents["langsmith-allow-llm-provider"]["egress"] == [
        {
            "to": [{"ipBlock": {"cidr": "203.0.113.0/24"}}],
            "ports": [{"protocol": "TCP", "port": 443}],
        }
    ]
    assert "langsmith-allow-llm-provider" not in release


A_DEV_WITH_DEPLOYMENT = (
    "    postgres: {inCluster: {}}\n",
    "    postgres: {inCluster: {}}\n    deployments:\n      bot: {redisDb: 1}\n",
)


def dev_with_deployment():
    from tests.helpers import ref
    from tests.sim import simulated_text

    return simulated_text(ref(A_DEV_WITH_DEPLOYMENT), "dev")


def test_postgres_only_for_listeners_with_deployments():
    without = simulated(DEFAULT, "dev")
    assert not without.by_type("langsmith:index:Postgres")
    assert without.outputs["listeners"]["a-dev"]["postgresEndpoint"] is None
    assert [r.name for r in dev_with_deployment().by_type("langsmith:index:Postgres")] == [
        "a-dev-postgres"
    ]


def test_in_cluster_stores_are_reached_by_pod_selector():
    policies = policies_by_namespace(dev_with_deployment())
    rules = policies["team-a"]["langsmith-allow-backing-stores"]["egress"]
    assert rules == [
        {
            "to": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "langgraph-a-dev"}
                    },
                    "podSelector": {
                        "matchLabels": {
                            "app.kubernetes.io/name": "postgres",
                            "app.kubernetes.io/instance": "a-dev-postgres",
                        }
                    },
                }
            ],
            "ports": [{"protocol": "TCP", "port": 5432}],
        },
        {
            "to": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "langgraph-a-dev"}
                    },
                    "podSelector": {
                        "matchLabels": {
                            "app.kubernetes.io/name": "redis",
                            "app.kubernetes.io/instance": "a-dev-redis",
                        }
                    },
                }
            ],
            "ports": [{"protocol": "TCP", "port": 6379}],
        },
    ]


def test_managed_stores_are_reached_in_the_vpc():
    policies = policies_by_namespace(simulated(DEFAULT, "prod-alpha"))
    rules = policies["agents"]["langsmith-allow-backing-stores"]["egress"]
    assert rules == [
        {
            "to": [{"ipBlock": {"cidr": "10.0.0.0/16"}}],
            "ports": [{"protocol": "TCP", "port": 5432}],
        },
        {
            "to": [{"ipBlock": {"cidr": "10.0.0.0/16"}}],
            "ports": [{"protocol": "TCP", "port": 6379}],
        },
    ]


def test_eks_security_group_egress_rules_are_standalone():
    sim = simulated(DEFAULT, "prod-alpha")
    egress = {
        r.name: r.inputs
        for r in sim.by_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
    }
    assert egress["alpha-egress-control-plane-34-8-121-39-32"]["cidrIpv4"] == "34.8.121.39/32"
    assert egress["alpha-egress-control-plane-34-8-121-39-32"]["fromPort"] == 443
    assert egress["alpha-egress-llm-provider-203-0-113-0-24-443"]["cidrIpv4"] == "203.0.113.0/24"
    groups = sim.by_type("aws:ec2/securityGroup:SecurityGroup")
    for group in groups:
        assert "egress" not in group.inputs, group.name
        assert "ingress" not in group.inputs, group.name
    for rule in sim.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        assert rule.inputs.get("cidrIpv4") != "0.0.0.0/0", rule.name


# -- managed stores ---


def test_rds_is_encrypted_private_and_protected_in_protect_stacks():
    sim = simulated(DEFAULT, "prod-alpha")
    [rds] = sim.by_type("aws:rds/instance:Instance")
    inputs = rds.inputs
    assert inputs["storageEncrypted"] is True
    assert inputs["publiclyAccessible"] is False
    assert inputs["deletionProtection"] is True
    assert inputs["skipFinalSnapshot"] is False
    assert inputs["finalSnapshotIdentifier"] == "lsdp-a-prod-final"
    assert inputs["backupRetentionPeriod"] == 7
    assert inputs["instanceClass"] == "db.t4g.large"
    assert inputs["allocatedStorage"] == 50
    assert isinstance(inputs["password"], Secret)
    assert rds.protect


def test_elasticache_is_encrypted_with_auth_and_protected():
    sim = simulated(DEFAULT, "prod-alpha")
    [group] = sim.by_type("aws:elasticache/replicationGroup:ReplicationGroup")
    inputs = group.inputs
    assert inputs["atRestEncryptionEnabled"] is True
    assert inputs["transitEncryptionEnabled"] is True
    assert isinstance(inputs["authToken"], Secret)
    assert inputs["nodeType"] == "cache.t4g.medium"
    assert inputs["finalSnapshotIdentifier"] == "lsdp-a-prod-final"
    assert group.protect


def test_unprotected_stack_skips_final_snapshot_and_protection():
    from tests.helpers import REFERENCE_TEXT, edit
    from tests.sim import simulated_text

    sim = simulated_text(
        edit(REFERENCE_TEXT, "{clusters: [alpha], protect: true}", "{clusters: [alpha]}"),
        "prod-alpha",
    )
    [rds] = sim.by_type("aws:rds/instance:Instance")
    assert rds.inputs["deletionProtection"] is False
    assert rds.inputs["skipFinalSnapshot"] is True
    assert "finalSnapshotIdentifier" not in rds.inputs
    assert not any(r.protect for r in sim.resources)


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_protect_flags_follow_the_stack(path, stack):
    sim = simulated(path, stack)
    protect = topology(path).stacks[stack].protect
    stateful = [
        r
        for r in sim.resources
        if r.type
        in (
            "aws:rds/instance:Instance",
            "aws:elasticache/replicationGroup:ReplicationGroup",
            "kubernetes:apps/v1:StatefulSet",
            "kubernetes:core/v1:Namespace",
        )
        and not r.name.endswith("gateway-ns")
    ]
    # A Cloud deployment's threads and store are LangChain's to keep, and ours to protect.
    stateful += [r for r in sim.resources if r.type == "langsmith:index:CloudDeployment"]
    assert stateful
    assert all(r.protect == protect for r in stateful), [(r.name, r.protect) for r in stateful]


def test_in_cluster_statefulsets_keep_their_volumes():
    for statefulset in simulated(DEFAULT, "dev").by_type("kubernetes:apps/v1:StatefulSet"):
        spec = statefulset.inputs["spec"]
        assert spec["persistentVolumeClaimRetentionPolicy"] == {
            "whenDeleted": "Retain",
            "whenScaled": "Retain",
        }
        assert spec["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"].endswith(
            "Gi"
        )


# -- deployments ---


def test_each_deployment_gets_a_database_and_a_redis_db():
    sim = simulated(DEFAULT, "prod-alpha")
    uris = reveal(sim.outputs["listeners"]["a-prod"]["deploymentUris"])
    assert set(uris) == {"support-bot", "research-agent"}
    assert uris["support-bot"]["POSTGRES_URI_CUSTOM"].endswith("/support_bot?sslmode=require")
    assert uris["research-agent"]["POSTGRES_URI_CUSTOM"].endswith("/research_agent?sslmode=require")
    # Each connects as its own role (named like its database), never as the admin.
    assert uris["support-bot"]["POSTGRES_URI_CUSTOM"].startswith("postgres://support_bot:")
    assert "langsmith" not in uris["support-bot"]["POSTGRES_URI_CUSTOM"].split("@")[0]
    assert uris["support-bot"]["REDIS_URI_CUSTOM"].startswith("rediss://:")
    assert uris["support-bot"]["REDIS_URI_CUSTOM"].endswith(":6379/1")
    assert uris["research-agent"]["REDIS_URI_CUSTOM"].endswith(":6379/2")
    [job] = sim.by_type("kubernetes:batch/v1:Job")
    pod = job.inputs["spec"]["template"]["spec"]
    env = {e["name"]: e for e in pod["containers"][0]["env"]}
    assert env["DATABASES"]["value"] == "research_agent support_bot"
    assert "PGPASSWORD" not in env  # read from the mounted admin Secret, not the environment
    assert pod["volumes"] == [
        {"name": "admin", "secret": {"secretName": "a-prod-postgres-admin", "defaultMode": 0o440}},
        {"name": "roles", "secret": {"secretName": "a-prod-postgres-roles", "defaultMode": 0o440}},
    ]
    assert (
        'PGPASSWORD="$(cat "$ADMIN_DIR/POSTGRES_PASSWORD")"' in pod["containers"][0]["command"][2]
    )
    assert env["ADMIN_DIR"]["value"] == "/etc/postgres-admin"
    stores = [r for r in sim.by_type("kubernetes:core/v1:Secret") if r.name.endswith("-stores")]
    assert sorted(r.inputs["metadata"]["name"] for r in stores) == [
        "research-agent-backing-stores",
        "support-bot-backing-stores",
    ]
    assert all(r.inputs["metadata"]["namespace"] == "agents" for r in stores)


def test_listener_redis_connection_uses_db_zero():
    sim = simulated(DEFAULT, "dev")
    connection = next(
        r for r in sim.by_type("kubernetes:core/v1:Secret") if r.name == "a-dev-redis-connection"
    )
    assert isinstance(connection.inputs["stringData"], Secret)
    url = reveal(connection.inputs["stringData"])["connection_url"]
    assert url.startswith("redis://:")
    assert url.endswith("@a-dev-redis.langgraph-a-dev.svc.cluster.local:6379/0")


def workspace_id(sim, plan) -> str:
    """The topology's id, or the id the stack's `Workspace` component resolves (simulated)."""
    made = sim.outputs.get("workspaces", {}).get(plan.workspace_key)
    return made["id"] if made else plan.workspace.id


# -- secrets ---


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_api_key_never_appears_in_plain_text(path, stack):
    sim = simulated(path, stack)
    for resource in sim.resources:
        for text in plain_strings(resource.inputs):
            assert PLANTED_KEY not in text, resource.urn
            assert SIMULATED_SERVICE_KEY not in text, resource.urn
    api_secrets = [
        r for r in sim.by_type("kubernetes:core/v1:Secret") if r.name.endswith("-api-key")
    ]
    assert len(api_secrets) == len(listeners_of(path, stack))
    held = {
        plan.release_name: PLANTED_KEY if plan.workspace.api_key else SIMULATED_SERVICE_KEY
        for plan in listeners_of(path, stack)
    }
    for secret in api_secrets:
        assert isinstance(secret.inputs["stringData"], Secret)
        expected = held[secret.inputs["metadata"]["name"].removesuffix("-langsmith-api-key")]
        [(key, value)] = reveal(secret.inputs["stringData"]).items()
        assert key == "langsmith_api_key"
        # The planted key as it is; a made key is the simulated value of that one key.
        assert value == expected if expected == PLANTED_KEY else value.startswith(expected + "-")


# -- parents and identity ---


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_every_resource_has_its_component_as_parent(path, stack):
    """Top-level components hang off the stack; everything else off a component, name-prefixed."""
    sim = simulated(path, stack)
    urns = {r.urn: r for r in sim.resources}
    for resource in sim.resources:
        if resource.name in top_level(sim):
            assert resource.type in (
                "langsmith:index:Cluster",
                "langsmith:index:Listener",
                "langsmith:index:AgentServer",
                "langsmith:index:Egress",
                "langsmith:index:IngressPolicies",
                "langsmith:index:Workspace",
                "langsmith:index:CloudDeployment",
            )
            continue
        parent = urns[resource.parent]
        assert parent.type.startswith("langsmith:index:"), resource.urn
        assert resource.name.startswith(parent.name), (resource.name, parent.name)


def test_kubeconfig_is_a_secret_output_for_eks_only():
    assert isinstance(simulated(DEFAULT, "prod-alpha").outputs["kubeconfigs"], dict)
    assert "kubeconfigs" not in simulated(DEFAULT, "dev").outputs
    kubeconfig = simulated(DEFAULT, "prod-alpha").outputs["kubeconfigs"]["alpha"]
    assert '"command": "aws"' in kubeconfig
    assert "get-token" in kubeconfig


def test_listener_outputs():
    out = dev_with_deployment().outputs["listeners"]["a-dev"]
    assert out["releaseNamespace"] == "langgraph-a-dev"
    assert out["watchNamespaces"] == ["team-a"]
    assert out["postgresEndpoint"] == "a-dev-postgres.langgraph-a-dev.svc.cluster.local:5432"
    assert out["redisEndpoint"] == "a-dev-redis.langgraph-a-dev.svc.cluster.local:6379"
    assert out["computeId"] == "dev"


def test_node_group_and_subnets():
    sim = simulated(DEFAULT, "prod-alpha")
    [group] = sim.by_type("aws:eks/nodeGroup:NodeGroup")
    assert group.inputs["scalingConfig"] == {"minSize": 2, "maxSize": 6, "desiredSize": 2}
    assert group.inputs["instanceTypes"] == ["m6i.2xlarge"]
    assert group.inputs["amiType"] == "AL2023_x86_64_STANDARD"
    subnets = [
        ipaddress.ip_network(s.inputs["cidrBlock"]) for s in sim.by_type("aws:ec2/subnet:Subnet")
    ]
    assert all(s.subnet_of(ipaddress.ip_network("10.0.0.0/16")) for s in subnets)
    assert len({str(s) for s in subnets}) == 4
    [storage_class] = sim.by_type("kubernetes:storage.k8s.io/v1:StorageClass")
    assert storage_class.inputs["metadata"]["annotations"] == {
        "storageclass.kubernetes.io/is-default-class": "true"
    }
    assert storage_class.inputs["parameters"] == {"type": "gp3", "encrypted": "true"}
    [cluster] = sim.by_type("aws:eks/cluster:Cluster")
    assert cluster.inputs["encryptionConfig"]["resources"] == ["secrets"]
    assert cluster.protect


@pytest.mark.parametrize(("path", "stack"), STACKS, ids=IDS)
def test_workloads_read_secrets_from_files_not_environment(path, stack):
    sim = simulated(path, stack)
    workloads = sim.by_type("kubernetes:apps/v1:StatefulSet") + sim.by_type(
        "kubernetes:batch/v1:Job"
    )
    for workload in workloads:
        for container in workload.inputs["spec"]["template"]["spec"]["containers"]:
            for env in container.get("env", []):
                assert "secretKeyRef" not in str(env.get("valueFrom", "")), (
                    workload.name,
                    env["name"],
                )


def test_ingress_policies_admit_exactly_the_paths_that_must_exist():
    """Gateway mode (dev): the Agent Servers' port from Envoy Gateway's proxies and the
    listener's release namespace; the listener's in-cluster Redis from its watched namespace
    and KEDA; everything else default-deny."""
    sim = simulated(DEFAULT, "dev")
    policies = {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]): r.inputs["spec"]
        for r in sim.by_type(NETPOL)
        if "Ingress" in r.inputs["spec"]["policyTypes"]
    }

    def peers(spec):
        return sorted(
            p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
            for p in spec["ingress"][0]["from"]
        )

    for namespace in ("team-a", "langgraph-a-dev"):
        assert policies[(namespace, "langsmith-default-deny-ingress")] == {
            "podSelector": {},
            "policyTypes": ["Ingress"],
        }
    agents = policies[("team-a", "langsmith-allow-agent-server-ingress")]
    assert peers(agents) == ["envoy-gateway-system", "langgraph-a-dev"]
    assert agents["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 8000}]
    redis = policies[("langgraph-a-dev", "langsmith-allow-redis-clients")]
    assert peers(redis) == ["keda", "team-a"]
    assert redis["podSelector"]["matchLabels"]["app.kubernetes.io/name"] == "redis"
    assert redis["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 6379}]
    # Nothing admits anyone to the release namespace's listener and operator pods.
    release = [
        name for (ns, name) in policies if ns == "langgraph-a-dev" and "agent-server" in name
    ]
    assert release == []
