"""Every name the program derives from keys: the `derived-names` rule refuses what cannot exist,
and for random topologies that validate (hostile names: long, digits first, dashes) every object
the program declares has a name valid for its kind and unique in its scope."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from langsmith_dataplane.diagnostics import TopologyError
from langsmith_dataplane.simulation import simulate
from langsmith_dataplane.topology import parse_topology
from tests.helpers import errors_of

DNS1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
DNS1123 = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
AWS_ID = re.compile(r"[a-z](-?[a-z0-9])*")

keys = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,58}[a-z0-9])?", fullmatch=True)


@st.composite
def hostile_topologies(draw) -> dict:
    """Listeners and servers with names of any legal key form, sharing clusters."""
    clusters = {
        "c": {"existing": {"context": "c"}, "ingress": "gateway"},
        "e": {
            "eks": {
                "region": "us-east-1",
                "version": "1.33",
                "nodeGroups": {"g": {"instanceType": "m6i.large", "minSize": 1, "maxSize": 2}},
            },
            "ingress": "gateway",
        },
    }
    names = draw(st.lists(keys, min_size=1, max_size=4, unique=True))
    listeners, servers = {}, {}
    for index, name in enumerate(names):
        cluster = draw(st.sampled_from(["c", "e"]))
        managed = cluster == "e" and draw(st.booleans())
        stores = (
            {
                "postgres": {"rds": {"instanceClass": "db.t4g.large"}},
                "redis": {"elasticache": {"nodeType": "cache.t4g.medium"}},
            }
            if managed
            else {}
        )
        namespace = draw(keys)
        if draw(st.booleans()):
            listeners[name] = {
                "workspace": "ws",
                "cluster": cluster,
                "namespaces": [namespace],
                "computeId": f"id{index}",
                "deployments": {draw(keys): {"redisDb": 1, "namespace": namespace}},
                **stores,
            }
        else:
            servers[name] = {
                "cluster": cluster,
                "namespace": namespace,
                "workspace": "ws",
                "image": "r.example.com/bot:1",
                "licenseKey": "l.key",
                **stores,
            }
    return {
        "version": 1,
        "controlPlane": {"region": "us"},
        "workspaces": {"ws": {"id": "6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01", "apiKey": "ws.key"}},
        "clusters": clusters,
        "listeners": listeners,
        "agentServers": servers,
        "stacks": {"s": {"clusters": ["c", "e"]}},
    }


def _labels(inputs: dict) -> dict:
    labels = dict((inputs.get("metadata") or {}).get("labels") or {})
    template = ((inputs.get("spec") or {}).get("template") or {}).get("metadata") or {}
    return labels | dict(template.get("labels") or {})


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile_topologies())
def test_what_validates_declares_only_names_that_can_exist(data):
    try:
        model = parse_topology(yaml.safe_dump(data, sort_keys=False)).model
    except TopologyError:
        assume(False)
        return
    sim = simulate(model, "s")
    urns = Counter(r.urn for r in sim.resources)
    assert not [u for u, n in urns.items() if n > 1], "duplicate URNs"
    objects = Counter()
    for r in sim.resources:
        if not (r.type.startswith("kubernetes:") and r.custom and not r.read):
            continue
        metadata = r.inputs.get("metadata") or {}
        name = metadata.get("name")
        if not isinstance(name, str):
            continue
        kind = r.type.rsplit(":", 1)[-1]
        objects[(r.provider, kind, metadata.get("namespace"), name)] += 1
        assert len(name) <= 253, name
        assert SUBDOMAIN.fullmatch(name), (kind, name)
        if kind in ("Namespace", "Service", "Release"):
            assert len(name) <= 63, (kind, name)
        if kind == "Service":
            assert DNS1035.fullmatch(name), name
        if kind == "StatefulSet":
            assert len(name) <= 52, name
        for value in _labels(r.inputs).values():
            assert len(str(value)) <= 63, value
            assert LABEL_VALUE.fullmatch(str(value)), value
    assert not [k for k, n in objects.items() if n > 1], "two objects with one name"
    aws = Counter()
    for r in sim.resources:
        ident = r.inputs.get("identifier") or r.inputs.get("replicationGroupId")
        if ident:
            aws[(r.type, ident)] += 1
            assert AWS_ID.fullmatch(ident), ident
            assert len(ident) <= (63 if "rds" in r.type else 40), ident
    assert not [k for k, n in aws.items() if n > 1], "two AWS resources with one identifier"


BASE = """\
version: 1
controlPlane: {region: us}
workspaces:
  ws: {id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01, apiKey: ws.apiKey}
clusters:
  c: {existing: {context: c}, ingress: gateway}
  e:
    eks: {region: us-east-1, version: "1.33", nodeGroups: {g: {instanceType: m6i.large, minSize: 1, maxSize: 2}}}
    ingress: gateway
listeners:
LISTENERS
agentServers:
SERVERS
stacks:
  s: {clusters: [c, e]}
"""


def server(name: str, namespace: str, cluster: str = "c", extra: str = "") -> str:
    return (
        f"  {name}:\n    cluster: {cluster}\n    namespace: {namespace}\n    workspace: ws\n"
        f"    image: r.io/x:1\n    licenseKey: l.key\n{extra}"
    )


def listener(name: str, namespaces: str, extra: str = "", cluster: str = "c") -> str:
    return (
        f"  {name}:\n    workspace: ws\n    cluster: {cluster}\n    namespaces: {namespaces}\n"
        f"    computeId: {name}\n{extra}"
    )


def text(listeners: str = "", servers: str = "") -> str:
    return (
        BASE.replace("LISTENERS\n", listeners or "")
        .replace("listeners:\n", "listeners:\n" if listeners else "listeners: {}\n")
        .replace("SERVERS\n", servers or "")
        .replace("agentServers:\n", "agentServers:\n" if servers else "agentServers: {}\n")
    )


@pytest.mark.parametrize(
    ("listeners", "servers", "message"),
    [
        # A listener namespace and a server name that join into one egress/ingress key.
        (listener("legacy", "[server]"), server("legacy-ns", "srv"), "'legacy-ns-server'"),
        # Two deployments of one listener whose namespace and name join into one key.
        (
            listener(
                "l",
                "[agents, agents-x]",
                "    deployments:\n      x-bot: {redisDb: 1, namespace: agents}\n"
                "      bot: {redisDb: 2, namespace: agents-x}\n",
            ),
            "",
            "'l-ns-agents-x-bot'",
        ),
        # A server and a listener of one key on EKS in one region: one RDS identifier.
        (
            listener(
                "shared",
                "[s1]",
                "    deployments: {d: {redisDb: 1, namespace: s1}}\n"
                "    postgres: {rds: {instanceClass: db.t4g.large}}\n",
                cluster="e",
            ),
            server("shared", "srv", "e", "    postgres: {rds: {instanceClass: db.t4g.large}}\n"),
            "RDS identifier 'lsdp-shared'",
        ),
        # A server name that starts with a digit: its Service is not a DNS-1035 label.
        ("", server("1digit", "srv"), "'1digit-api-server'"),
        # A server name of 53 characters: `<name>-api-server` is 64.
        ("", server("a" * 53, "srv"), "must be a DNS-1035 label of at most 63"),
        # A listener of 35 characters: the chart's `<name>-langgraph-dataplane-operator` is 64.
        (listener("l" * 35, "[t]"), "", "listener chart object"),
        # '--' in a name that becomes an AWS identifier.
        (
            listener(
                "a--b",
                "[t]",
                "    deployments: {d: {redisDb: 1, namespace: t}}\n"
                "    postgres: {rds: {instanceClass: db.t4g.large}}\n",
                cluster="e",
            ),
            "",
            "an AWS identifier",
        ),
    ],
)
def test_names_that_cannot_exist_are_refused_at_their_key(listeners, servers, message):
    errors = [e for e in errors_of(text(listeners, servers)) if e.rule == "derived-names"]
    assert errors, "the derived-names rule reported nothing"
    assert any(message in e.message for e in errors), [e.message for e in errors]


def test_a_52_character_server_validates_and_its_stores_get_bounded_names():
    name = "a" + "b" * 50 + "c"
    model = parse_topology(text("", server(name, "srv"))).model
    sim = simulate(model, "s")
    statefulsets = [
        r.inputs["metadata"]["name"] for r in sim.by_type("kubernetes:apps/v1:StatefulSet")
    ]
    assert statefulsets
    assert all(len(s) <= 52 for s in statefulsets)
    assert len(set(statefulsets)) == len(statefulsets)


def test_render_never_writes_two_objects_to_one_file(tmp_path):
    from langsmith_dataplane.review.render import render_stack

    model = parse_topology(
        text(
            listener(
                "l",
                "[ns, ns-a]",
                "    deployments:\n      a: {redisDb: 1, namespace: ns}\n"
                "      b: {redisDb: 2, namespace: ns-a}\n",
            )
        )
    ).model
    rendered = render_stack(model, "s", tmp_path)
    # Two clusters in one stack: each cluster's objects in a directory of its own.
    assert {p.parent.name for p in rendered.manifests} == {"c", "e"}
    identities = set()
    for path in rendered.manifests:
        doc = yaml.safe_load(path.read_text())
        identities.add(
            (
                path.parent.name,
                doc["kind"],
                doc["metadata"].get("namespace"),
                doc["metadata"]["name"],
            )
        )
    assert len(identities) == len(rendered.manifests) == len(set(rendered.manifests))
    assert ("c", "Secret", "ns", "a-backing-stores") in identities
    assert ("c", "Secret", "ns-a", "b-backing-stores") in identities


def test_a_workspaces_record_and_another_workloads_key_cannot_share_a_urn():
    """Listener `x-record`'s key in workspace `team-c` and workspace
    `team-c-key-listener-x`'s record are both `workspace-team-c-key-listener-x-record`, a
    child of one `Workspace` type: one URN, so the plan would silently drop one."""
    from tests.helpers import REPO, edit, errors_of, line_of

    text = (REPO / "examples/new-workspace.yaml").read_text()
    text = edit(
        text,
        "\nclusters:\n",
        "  team-c-key-listener-x:\n    owner: platform-us\n\nclusters:\n",
    )
    text = edit(
        text,
        "  c-eu:\n",
        "  x-record:\n    workspace: team-c\n    cluster: us-east\n    namespaces: [x]\n"
        "    computeId: x\n    ingress: gateway\n  c-eu:\n",
    ).replace("    ingress: gateway\n  c-eu:", "  c-eu:")
    errors = [e for e in errors_of(text) if e.rule == "derived-names"]
    assert len(errors) == 1, errors
    assert "workspace-team-c-key-listener-x-record" in errors[0].message
    assert errors[0].line in (
        line_of(text, "  x-record:"),
        line_of(text, "  team-c-key-listener-x:"),
    )


def test_workspace_records_and_keys_that_differ_are_fine():
    from tests.helpers import REPO, valid

    valid((REPO / "examples/new-workspace.yaml").read_text())
