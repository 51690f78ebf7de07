"""Each LangSmith rule: the reference passes it, a targeted edit breaks it at the right place."""

from __future__ import annotations

import pytest

from langsmith_dataplane.topology.rules import RULES
from tests.helpers import REFERENCE_TEXT, errors_of, line_of, only_error, ref, valid


def test_reference_passes_every_rule_with_only_the_unused_postgres_warnings():
    """The seed layouts declare a Postgres for two listeners without deployments: the stack
    creates none for them, and says so rather than ignoring it silently."""
    topology = valid(REFERENCE_TEXT)
    assert [(w.rule, w.line) for w in topology.warnings] == [
        ("unused-postgres", REFERENCE_TEXT.splitlines().index("    postgres:", 50) + 1),
        ("unused-postgres", REFERENCE_TEXT.splitlines().index("    postgres: {inCluster: {}}") + 1),
    ]
    assert set(topology.model.listeners) == {
        "a-prod",
        "b-prod",
        "a-dev",
        "b-dev",
        "a-single",
        "b-single",
    }


def test_every_rule_has_a_name_and_a_docstring():
    assert len(RULES) >= 20
    for name, check in RULES.items():
        assert name, check
        assert check.__doc__, name


# -- rfc1123-name ---


@pytest.mark.parametrize(
    ("old", "new", "needle", "what"),
    [
        ("  a-dev:\n", "  A_dev:\n", "A_dev:", "listener name 'A_dev'"),
        ("  dev:\n    existing:", "  Dev:\n    existing:", "Dev:", "cluster name 'Dev'"),
        ("namespaces: [team-a]", "namespaces: [Team.A]", "Team.A", "namespace 'Team.A'"),
        ("support-bot: {redisDb: 1}", "support_bot: {redisDb: 1}", "support_bot", "deployment"),
        ("general: {instanceType", "General: {instanceType", "General:", "node group name"),
        ("  - name: llm-provider", "  - name: LLM provider", "LLM provider", "egress rule name"),
    ],
)
def test_rfc1123_names(old, new, needle, what):
    text = ref((old, new))
    if "cluster name" in what:  # the listeners and stack refer to the renamed cluster too
        text = text.replace("cluster: dev\n", "cluster: Dev\n").replace("[dev]", "[Dev]")
    error = only_error(text)
    assert error.rule == "rfc1123-name"
    assert what in error.message
    assert "RFC 1123" in error.message
    assert error.line == line_of(text, needle)


def test_namespace_longer_than_63_characters():
    long = "n" * 64
    error = only_error(ref(("namespaces: [team-a]", f"namespaces: [{long}]")))
    assert error.rule == "rfc1123-name"
    assert "64 characters long (at most 63)" in error.message


def test_workspace_names_are_label_values():
    text = ref(("  A:\n    id", "  -A:\n    id")).replace("workspace: A\n", "workspace: -A\n")
    error = only_error(text)
    assert error.rule == "label-value"
    assert error.line == line_of(text, "-A:")


# -- reserved-namespace ---


@pytest.mark.parametrize("namespace", ["default", "kube-system", "kube-anything"])
def test_reserved_namespaces(namespace):
    text = ref(("namespaces: [team-b]", f"namespaces: [{namespace}]"))
    error = only_error(text)
    assert error.rule == "reserved-namespace"
    assert f"namespace '{namespace}' is reserved" in error.message
    assert (error.line, error.col) == (line_of(text, f"[{namespace}]"), 18)


def test_namespace_equal_to_another_listeners_release_namespace():
    text = ref(("namespaces: [team-b]", "namespaces: [langgraph-a-dev]"))
    error = only_error(text)
    assert error.rule == "reserved-namespace"
    assert "release namespace of listener 'a-dev'" in error.message


# -- release-name-length ---


def test_release_name_longer_than_53():
    name = "a" * 54
    text = ref(("  b-single:\n", f"  {name}:\n"))
    error = only_error(text)
    assert error.rule == "release-name-length"
    assert "54 characters" in error.message
    assert (error.line, error.col) == (line_of(text, name), 3)


def test_a_listener_name_fits_the_charts_own_names():
    """The chart names its objects `<release>-langgraph-dataplane-<part>`: 34 characters is the
    most a listener name may have (a longer one validated before and then failed in Helm)."""
    valid(ref(("  b-single:\n", f"  {'b' * 34}:\n")))
    error = only_error(ref(("  b-single:\n", f"  {'b' * 35}:\n")))
    assert error.rule == "derived-names"
    assert "-langgraph-dataplane-" in error.message


# -- uuid ---


@pytest.mark.parametrize(
    "bad", ["not-a-uuid", "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a0", "6f1e8c524b1e4b7e9a512d1d2f7e0a01"]
)
def test_workspace_id_must_be_uuid(bad):
    text = ref(("id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01", f"id: {bad}"))
    error = only_error(text)
    assert error.rule == "uuid"
    assert (error.line, error.col) == (line_of(text, bad), 9)


def test_listener_id_must_be_uuid_and_valid_one_passes():
    good = ref(
        (
            "    namespaces: [team-b]\n",
            "    namespaces: [team-b]\n    listenerId: 9e2f1a3b-0c4d-4e5f-8a6b-7c8d9e0f1a2b\n",
        )
    )
    assert valid(good).model.listeners["b-dev"].listener_id.startswith("9e2f")
    error = only_error(
        ref(("    namespaces: [team-b]\n", "    namespaces: [team-b]\n    listenerId: 42-abc\n"))
    )
    assert error.rule == "uuid"
    assert "listenerId '42-abc'" in error.message


# -- secret-value, secret-ref ---

KEY = "lsv2_pt_0123456789abcdef0123456789abcdef_0123456789"


def test_api_key_in_apikey_field_is_an_error_and_not_echoed():
    text = ref(("apiKey: workspaceB.apiKey", f"apiKey: {KEY}"))
    error = only_error(text)
    assert error.rule == "secret-value"
    assert KEY not in error.format()
    assert "lsv2" not in error.message
    assert (error.line, error.col) == (line_of(text, KEY), 13)


def test_api_key_anywhere_even_in_a_comment():
    text = ref(("  region: us\n", f"  region: us   # key: {KEY}\n"))
    error = only_error(text)
    assert error.rule == "secret-value"
    assert error.line == line_of(text, KEY)


def test_api_key_reported_even_when_the_schema_fails():
    text = ref(("  region: us\n", f"  regoin: us\n  hostBackendUrl: {KEY}\n"))
    rules = {d.rule for d in errors_of(text)}
    assert {"secret-value", "schema"} <= rules


def test_api_key_reference_must_be_a_config_name():
    error = only_error(ref(("apiKey: workspaceB.apiKey", "apiKey: 'my key!'")))
    assert error.rule == "secret-ref"
    assert "my key!" not in error.message  # a refused value is never repeated


# -- unknown-reference ---


def test_unknown_workspace_suggests_the_closest():
    text = ref(("    workspace: B\n    cluster: beta", "    workspace: C\n    cluster: beta"))
    error = only_error(text)
    assert error.rule == "unknown-reference"
    assert error.message.startswith("unknown workspace 'C'")
    assert (error.line, error.col) == (line_of(text, "workspace: C"), 16)


def test_unknown_cluster_in_listener_and_in_stack():
    text = ref(
        ("    cluster: beta\n", "    cluster: betta\n"), ("{clusters: [beta]", "{clusters: [gamma]")
    )
    errors = [e for e in errors_of(text) if e.rule == "unknown-reference"]
    assert [e.message for e in errors] == [
        "unknown cluster 'betta' (did you mean 'beta'?)",
        "unknown cluster 'gamma' (known: alpha, beta, dev, single)",
    ]


# -- namespaces ---


def test_namespace_listed_twice_in_one_listener():
    text = ref(("namespaces: [team-a]", "namespaces: [team-a, team-a]"))
    error = only_error(text)
    assert error.rule == "duplicate-namespace"
    assert (error.line, error.col) == (line_of(text, "[team-a, team-a]"), 26)


def test_shared_namespace_between_listeners_of_one_cluster():
    text = ref(("namespaces: [workspace-b]", "namespaces: [workspace-a]"))
    error = only_error(text)
    assert error.rule == "shared-namespace"
    assert "already watched by listener 'a-single'" in error.message
    assert error.line == line_of(text, "namespaces: [workspace-a]", 2)


def test_same_namespace_in_different_clusters_is_fine():
    # a-prod and b-prod both use 'agents', in clusters alpha and beta.
    valid(REFERENCE_TEXT)


# -- ingress-kind ---


def test_several_listeners_on_plain_ingress():
    text = ref(("    ingress: gateway                 # two", "    ingress: ingress  # two"))
    error = only_error(text)
    assert error.rule == "ingress-kind"
    assert "runs 2 listeners (a-dev, b-dev)" in error.message
    assert error.line == line_of(text, "  dev:\n".strip())


def test_listener_with_several_namespaces_on_plain_ingress():
    text = ref(("namespaces: [agents]", "namespaces: [agents, batch]"))
    text = text.replace("support-bot: {redisDb: 1}", "support-bot: {redisDb: 1, namespace: agents}")
    text = text.replace(
        "research-agent: {redisDb: 2}", "research-agent: {redisDb: 2, namespace: agents}"
    )
    error = only_error(text)
    assert error.rule == "ingress-kind"
    assert "watches 2 namespaces" in error.message
    assert error.line == line_of(text, "[agents, batch]")


def test_several_namespaces_on_gateway_is_fine():
    valid(ref(("namespaces: [team-a]", "namespaces: [team-a, team-a-batch]")))


def test_gateway_reference_needs_gateway_ingress():
    text = ref(
        (
            "      context: single\n",
            "      context: single\n    gateway: {name: gw, namespace: gw}\n",
        ),
    )
    valid(text)
    text = ref(
        (
            "    eks:\n      region: us-east-1",
            "    gateway: {name: gw, namespace: gw}\n    eks:\n      region: us-east-1",
        )
    )
    assert only_error(text).rule == "ingress-kind"


# -- cluster-stack ---


def test_cluster_in_no_stack_is_a_warning():
    text = ref(("  single: {clusters: [single]}\n", ""))
    topology = valid(text)
    [warning] = [w for w in topology.warnings if w.rule != "unused-postgres"]
    assert warning.rule == "cluster-stack"
    assert "belongs to no stack" in warning.message
    assert warning.line == line_of(text, "  single:")


def test_cluster_in_two_stacks_is_an_error():
    text = ref(("dev: {clusters: [dev]}", "dev: {clusters: [dev, alpha]}"))
    error = only_error(text)
    assert error.rule == "cluster-stack"
    assert "cluster 'alpha' is also in stack 'prod-alpha'" in error.message
    assert (error.line, error.col) == (line_of(text, "[dev, alpha]"), 25)


def test_cluster_listed_twice_in_one_stack():
    error = only_error(ref(("dev: {clusters: [dev]}", "dev: {clusters: [dev, dev]}")))
    assert "lists it twice" in error.message


# -- redis-db ---


@pytest.mark.parametrize("db", [0, 16])
def test_redis_db_out_of_range(db):
    text = ref(("research-agent: {redisDb: 2}", f"research-agent: {{redisDb: {db}}}"))
    error = only_error(text)
    assert error.rule == "redis-db"
    assert f"redisDb {db} is out of range" in error.message


def test_redis_db_duplicate():
    error = only_error(ref(("research-agent: {redisDb: 2}", "research-agent: {redisDb: 1}")))
    assert error.rule == "redis-db"
    assert "already used by deployment 'support-bot'" in error.message


def test_redis_db_reuse_across_listeners_is_fine():
    valid(
        ref(
            (
                "    namespaces: [team-a]\n",
                "    namespaces: [team-a]\n    deployments: {x: {redisDb: 1}}\n",
            )
        )
    )


# -- compute-id ---


SECOND_A_DEV = "  a-dev-2:\n    workspace: A\n    cluster: dev\n    namespaces: [team-a2]\n"


def test_same_workspace_twice_in_a_cluster_needs_compute_ids():
    text = ref(("  b-dev:\n", SECOND_A_DEV + "  b-dev:\n"))
    error = only_error(text)
    assert error.rule == "compute-id"
    assert "give them distinct 'computeId'" in error.message
    assert error.line == line_of(text, "a-dev-2:")


def test_distinct_compute_id_fixes_it():
    valid(ref(("  b-dev:\n", SECOND_A_DEV + "    computeId: dev-2\n  b-dev:\n")))


def test_explicit_compute_id_colliding_with_a_cluster_name():
    text = ref(("  b-dev:\n", SECOND_A_DEV + "    computeId: alpha\n  b-dev:\n"))
    error = only_error(text)
    assert "computeId 'alpha' is already used by listener 'a-prod'" in error.message


# -- renamed-from ---


def test_renamed_from_rules():
    valid(ref(("  b-single:\n", "  b-single:\n    renamedFrom: b-one\n")))
    error = only_error(ref(("  b-single:\n", "  b-single:\n    renamedFrom: a-single\n")))
    assert "still a listener" in error.message
    error = only_error(ref(("  b-single:\n", "  b-single:\n    renamedFrom: b-single\n")))
    assert "names the listener itself" in error.message


# -- managed-service-on-eks ---


def test_rds_on_existing_cluster():
    text = ref(
        ("    postgres: {inCluster: {}}", "    postgres: {rds: {instanceClass: db.t4g.large}}")
    )
    error = only_error(text)
    assert error.rule == "managed-service-on-eks"
    assert "'rds' needs an EKS cluster" in error.message


def test_elasticache_on_existing_cluster():
    text = ref(
        ("    redis: {inCluster: {}}", "    redis: {elasticache: {nodeType: cache.t4g.small}}")
    )
    assert only_error(text).rule == "managed-service-on-eks"


# -- cidr, port, duplicate-egress-rule ---


@pytest.mark.parametrize(
    ("cidr", "reason"),
    [
        ("203.0.113.0/33", "not a valid"),
        ("203.0.113.1/24", "has host bits set"),
        ("bogus", "not a valid"),
    ],
)
def test_egress_cidrs(cidr, reason):
    text = ref(("cidrs: [203.0.113.0/24]", f"cidrs: [{cidr}]"))
    error = only_error(text)
    assert error.rule == "cidr"
    assert reason in error.message
    assert (error.line, error.col) == (line_of(text, cidr), 15)


def test_control_plane_egress_cidrs_override():
    assert valid(ref(("  region: us\n", "  region: us\n  egressCidrs: [198.51.100.7/32]\n")))
    error = only_error(ref(("  region: us\n", "  region: us\n  egressCidrs: [198.51.100.7/16]\n")))
    assert error.rule == "cidr"


def test_ipv6_cidr_is_accepted():
    valid(ref(("cidrs: [203.0.113.0/24]", "cidrs: [203.0.113.0/24, '2001:db8::/32']")))


@pytest.mark.parametrize("port", [0, 65536])
def test_ports_in_range(port):
    text = ref(("ports: [443]", f"ports: [443, {port}]"))
    error = only_error(text)
    assert error.rule == "port"
    assert f"port {port} is out of range" in error.message


def test_duplicate_egress_rule_names():
    text = ref(
        (
            "      ports: [443]\n",
            "      ports: [443]\n"
            "    - {name: llm-provider, cidrs: [198.51.100.0/24], ports: [443]}\n",
        )
    )
    assert only_error(text).rule == "duplicate-egress-rule"


# -- node-group-size ---


def test_min_size_above_max_size():
    text = ref(("minSize: 2, maxSize: 6}", "minSize: 7, maxSize: 6}"))
    error = only_error(text)
    assert error.rule == "node-group-size"
    assert error.message == "minSize 7 is greater than maxSize 6"
    assert error.line == line_of(text, "minSize: 7")


def test_desired_size_outside_bounds():
    text = ref(("minSize: 2, maxSize: 6}", "minSize: 2, maxSize: 6, desiredSize: 9}"))
    assert "desiredSize 9 is outside" in only_error(text).message


# -- control-plane ---


def test_self_hosted_control_plane():
    urls = (
        "  hostBackendUrl: https://host.example.com\n  smithBackendUrl: https://smith.example.com\n"
    )
    good = ref(("  region: us\n", urls + "  egressCidrs: [198.51.100.0/24]\n"))
    assert valid(good).model.control_plane.region is None
    error = only_error(ref(("  region: us\n", urls)))
    assert error.rule == "control-plane"
    assert "needs 'egressCidrs'" in error.message
    error = only_error(
        ref(
            (
                "  region: us\n",
                urls.replace("https://host", "http://host") + "  egressCidrs: [198.51.100.0/24]\n",
            )
        )
    )
    assert "must start with https://" in error.message


def test_region_and_urls_together():
    error = only_error(
        ref(("  region: us\n", "  region: us\n  hostBackendUrl: https://h.example.com\n"))
    )
    assert error.rule == "schema"
    assert "give either 'region' or the backend URLs, not both" in error.message


# -- unused-workspace ---


def test_workspace_without_listeners_is_a_warning():
    text = ref(
        (
            "workspaces:\n",
            "workspaces:\n  C:\n    id: 0c3b6a3e-8f7d-4f0e-b3a5-9b1f2e4d5c03\n    apiKey: c.key\n",
        )
    )
    [warning] = [w for w in valid(text).warnings if w.rule != "unused-postgres"]
    assert warning.rule == "unused-workspace"
    assert warning.line == line_of(text, "  C:")


def test_all_errors_reported_at_once_sorted_by_position():
    text = ref(
        ("namespaces: [workspace-b]", "namespaces: [workspace-a]"),
        ("minSize: 2, maxSize: 6}", "minSize: 7, maxSize: 6}"),
        ("id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01", "id: nope"),
    )
    errors = errors_of(text)
    assert [e.rule for e in errors] == ["uuid", "node-group-size", "shared-namespace"]
    assert [e.line for e in errors] == sorted(e.line for e in errors)


# -- exposure, workspace-id, add-on namespaces ---

SINGLE = "      context: single\n    ingress: gateway\n"


def test_crd_owner_is_no_longer_a_key():
    text = ref((SINGLE, SINGLE + "    crdOwner: b-single\n"))
    error = only_error(text)
    assert error.rule == "schema"
    assert "unknown key 'crdOwner'" in error.message


def test_istio_needs_the_gateway_it_routes_through():
    text = ref((SINGLE, "      context: single\n    ingress: istio\n"))
    error = only_error(text)
    assert error.rule == "exposure"
    assert "uses Istio but names no gateway" in error.message
    assert (error.line, error.col) == (line_of(text, "ingress: istio"), 14)
    valid(
        ref(
            (
                SINGLE,
                "      context: single\n    ingress: istio\n    gateway: {name: g, namespace: istio-ingress}\n",
            )
        )
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    tls: {secretName: cert}\n", "TLS needs 'hostname'"),
        ("    hostname: a.example.com\n    tls: {}\n", "TLS needs 'secretName'"),
        ("    hostname: 'bad host!'\n", "hostname 'bad host!' is not a DNS name"),
        (
            "    ingressClassName: nginx\n",
            "'ingressClassName' applies only with 'ingress: ingress'",
        ),
    ],
)
def test_exposure_refuses_what_cannot_serve(extra, message):
    text = ref((SINGLE, SINGLE + extra))
    errors = errors_of(text)
    assert [e.rule for e in errors] == ["exposure"]
    assert message in errors[0].message


def test_tls_with_a_named_gateway_takes_no_secret():
    gateway = SINGLE + "    gateway: {name: g, namespace: gw}\n    hostname: a.example.com\n"
    valid(ref((SINGLE, gateway + "    tls: {}\n")))
    error = only_error(ref((SINGLE, gateway + "    tls: {secretName: cert}\n")))
    assert "drop 'secretName'" in error.message


def test_tls_on_the_stacks_own_gateway_is_valid_with_hostname_and_secret():
    valid(ref((SINGLE, SINGLE + "    hostname: a.example.com\n    tls: {secretName: cert}\n")))


def test_two_workspaces_with_one_id():
    text = ref(
        ("id: 0c3b6a3e-8f7d-4f0e-b3a5-9b1f2e4d5c02", "id: 6F1E8C52-4b1e-4b7e-9a51-2d1d2f7e0a01")
    )
    error = only_error(text)
    assert error.rule == "workspace-id"
    assert error.message.startswith("workspace 'B' has the same id as workspace 'A'")


@pytest.mark.parametrize(
    "namespace", ["keda", "envoy-gateway-system", "langgraph-gateway", "traefik"]
)
def test_add_on_namespaces_are_reserved(namespace):
    error = only_error(ref(("namespaces: [team-b]", f"namespaces: [{namespace}]")))
    assert error.rule == "reserved-namespace"
    assert "belongs to a cluster add-on" in error.message


def test_a_listener_named_gateway_would_take_the_gateway_namespace():
    text = ref(("  b-dev:\n", "  gateway:\n"))
    error = only_error(text)
    assert error.rule == "reserved-namespace"
    assert "namespace 'langgraph-gateway', which a cluster add-on owns" in error.message


def test_compute_id_is_not_checked_for_listeners_registered_elsewhere():
    both_a = ref(("  b-dev:\n    workspace: B", "  b-dev:\n    workspace: A"))
    assert only_error(both_a).rule == "compute-id"
    valid(
        ref(
            (
                "  b-dev:\n    workspace: B",
                "  b-dev:\n    workspace: A\n    listenerId: 9e2f1a3b-0c4d-4e5f-8a6b-7c8d9e0f1a2b",
            )
        )
    )


def test_renamed_from_must_fit_a_release_name():
    error = only_error(ref(("  b-single:\n", f"  b-single:\n    renamedFrom: {'r' * 54}\n")))
    assert error.rule == "release-name-length"
