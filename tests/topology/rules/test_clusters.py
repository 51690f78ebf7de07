"""Rules of the clusters and exposure section."""

from __future__ import annotations

import pytest

from tests.helpers import errors_of, line_of, only_error, ref, valid

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
