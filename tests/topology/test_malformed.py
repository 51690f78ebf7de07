"""Malformed topologies: each must fail with one clear error at the right line and column."""

from __future__ import annotations

import pytest

from tests.helpers import errors_of

MINIMAL = """\
version: 1
controlPlane:
  region: us
workspaces:
  A: {id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01, apiKey: a.key}
clusters:
  c1:
    existing: {context: c1}
listeners:
  l1: {workspace: A, cluster: c1, namespaces: [ns1]}
stacks:
  s1: {clusters: [c1]}
"""


def minimal(old: str, new: str) -> str:
    assert old in MINIMAL, old
    return MINIMAL.replace(old, new, 1)


# (id, text, line, col, message fragment)
CASES = [
    # -- YAML syntax -------------------------------------------------------------------------
    ("empty-file", "", 1, 1, "the file is empty"),
    ("only-comments", "# nothing here\n\n", 1, 1, "the file is empty"),
    ("list-root", "- version: 1\n", 1, 1, "top level of a topology must be a mapping"),
    ("scalar-root", "hello\n", 1, 1, "not the string 'hello'"),
    ("null-root", "~\n", 1, 1, "not null"),
    ("tab-indent", minimal("  region: us", "\tregion: us"), 3, 1, "tab character in indentation"),
    (
        "bad-indent",
        minimal("  c1:\n    existing", "  c1:\n     existing: x\n    existing"),
        9,
        5,
        "bad indentation",
    ),
    ("colon-in-value", minimal("  region: us", "  region: us: eu"), 3, 13, "quote a value"),
    ("unclosed-flow", minimal("namespaces: [ns1]}", "namespaces: [ns1}"), 10, 51, "invalid YAML"),
    (
        "unclosed-quote",
        minimal("  region: us", '  region: "us'),
        13,
        1,
        "quoted scalar started at line 3",
    ),
    (
        "duplicate-top-key",
        MINIMAL + "version: 1\n",
        13,
        1,
        "duplicate key 'version' (first defined at line 1)",
    ),
    (
        "duplicate-nested-key",
        minimal("  region: us", "  region: us\n  region: eu"),
        4,
        3,
        "duplicate key 'region'",
    ),
    (
        "duplicate-listener",
        MINIMAL.replace("stacks:", "  l1: {workspace: A, cluster: c1, namespaces: [x]}\nstacks:"),
        11,
        3,
        "duplicate key 'l1'",
    ),
    ("two-documents", MINIMAL + "---\nversion: 1\n", 13, 1, "holds one YAML document"),
    ("undefined-alias", minimal("  region: us", "  region: *nowhere"), 3, 11, "undefined anchor"),
    (
        "complex-key",
        minimal("  region: us", "  ? [a, b]\n  : us"),
        3,
        5,
        "mapping key must be a plain value",
    ),
    (
        "unknown-tag",
        minimal("  region: us", "  region: !vault us"),
        3,
        11,
        "cannot read this value",
    ),
    (
        "deep-nesting",
        "version: 1\nx: " + "[" * 200 + "]" * 200 + "\n",
        2,
        67,
        "nesting is deeper than 64",
    ),
    ("bad-merge", minimal("  region: us", "  <<: [1, 2]\n  region: us"), 3, 7, "merge key"),
    # -- schema ----------------------------------------------------------------------------------
    ("missing-version", minimal("version: 1\n", ""), 1, 1, "missing required key 'version'"),
    (
        "wrong-version",
        minimal("version: 1", "version: 2"),
        1,
        10,
        "version must be 1, got the number 2",
    ),
    (
        "version-string",
        minimal("version: 1", 'version: "1"'),
        1,
        10,
        "version must be 1, got the string '1'",
    ),
    (
        "unknown-top-key",
        minimal("stacks:", "stack:"),
        11,
        1,
        "unknown key 'stack' in the top level (did you mean 'stacks'?)",
    ),
    (
        "snake-case-key",
        minimal("  region: us", "  region: us\n  egress_cidrs: []"),
        4,
        3,
        "did you mean 'egressCidrs'",
    ),
    (
        "lowercase-key",
        minimal("controlPlane:", "controlplane:"),
        2,
        1,
        "did you mean 'controlPlane'",
    ),
    (
        "unknown-no-suggestion",
        minimal("  region: us", "  region: us\n  zzz: 1"),
        4,
        3,
        "expected one of: region, hostBackendUrl",
    ),
    (
        "bad-region",
        minimal("region: us", "region: europe"),
        3,
        11,
        "controlPlane.region must be one of 'us', 'eu', 'apac' or 'aws-us'",
    ),
    (
        "no-region",
        minimal("  region: us\n", "  egressCidrs: []\n"),
        2,
        1,
        "controlPlane needs 'region'",
    ),
    (
        "workspaces-list",
        minimal("  A: {id", "  - A: {id"),
        5,
        3,
        "workspaces must be a mapping, got a list",
    ),
    (
        "workspaces-empty",
        minimal("  A: {id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01, apiKey: a.key}\n", ""),
        4,
        12,
        "workspaces must be a mapping, got null",
    ),
    (
        "workspaces-empty-mapping",
        minimal("  A: {id: 6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01, apiKey: a.key}\n", "  {}\n"),
        5,
        3,
        "workspaces needs at least 1 item",
    ),
    (
        # Without apiKey the stacks make a service key per workload: the organisation is needed.
        "missing-apikey",
        minimal(", apiKey: a.key}", "}"),
        2,
        1,
        "controlPlane needs 'organizationId' and 'adminKey'",
    ),
    (
        "apikey-number",
        minimal("apiKey: a.key", "apiKey: 12"),
        5,
        57,
        "workspaces.A.apiKey must be a string, got the number 12; quote it",
    ),
    (
        "cluster-no-kind",
        minimal("    existing: {context: c1}", "    ingress: gateway"),
        7,
        3,
        "clusters.c1 needs one of 'eks' or 'existing'",
    ),
    (
        "bad-ingress",
        minimal("    existing: {context: c1}", "    existing: {context: c1}\n    ingress: nginx"),
        9,
        14,
        "must be one of 'ingress', 'gateway' or 'istio'",
    ),
    (
        "eks-version-float",
        minimal(
            "    existing: {context: c1}",
            "    eks: {region: us-east-1, version: 1.30, nodeGroups: {g: {instanceType: m6i.large, minSize: 1, maxSize: 2}}}",
        ),
        8,
        39,
        'got the number 1.3 (written 1.30); quote it: "1.30"',
    ),
    (
        "eks-no-node-groups",
        minimal(
            "    existing: {context: c1}",
            '    eks: {region: us-east-1, version: "1.33", nodeGroups: {}}',
        ),
        8,
        59,
        "nodeGroups needs at least 1 item",
    ),
    (
        "min-size-string",
        minimal(
            "    existing: {context: c1}",
            '    eks: {region: r, version: "1", nodeGroups: {g: {instanceType: t, minSize: "2", maxSize: 3}}}',
        ),
        8,
        79,
        "minSize must be an integer, got the string '2'",
    ),
    (
        "min-size-negative",
        minimal(
            "    existing: {context: c1}",
            '    eks: {region: r, version: "1", nodeGroups: {g: {instanceType: t, minSize: -1, maxSize: 3}}}',
        ),
        8,
        79,
        "minSize must be >= 0, got -1",
    ),
    (
        "listener-namespaces-string",
        minimal("namespaces: [ns1]", "namespaces: ns1"),
        10,
        47,
        "namespaces must be a list, got the string 'ns1'",
    ),
    (
        "listener-namespaces-empty",
        minimal("namespaces: [ns1]", "namespaces: []"),
        10,
        47,
        "namespaces needs at least 1 item",
    ),
    (
        "listener-missing-cluster",
        minimal("cluster: c1, ", ""),
        10,
        3,
        "missing required key 'cluster' in listeners.l1",
    ),
    (
        "postgres-both",
        minimal(
            "namespaces: [ns1]",
            "namespaces: [ns1], postgres: {inCluster: {}, rds: {instanceClass: x}}",
        ),
        10,
        54,
        "needs exactly one of 'inCluster' or 'rds', not both",
    ),
    (
        "redis-typo",
        minimal("namespaces: [ns1]", "namespaces: [ns1], redis: {incluster: {}}"),
        10,
        62,
        "unknown key 'incluster' in listeners.l1.redis (did you mean 'inCluster'?)",
    ),
    (
        "redis-db-string",
        minimal("namespaces: [ns1]", "namespaces: [ns1], deployments: {d: {redisDb: one}}"),
        10,
        81,
        "redisDb must be an integer, got the string 'one'",
    ),
    (
        "protect-string",
        minimal("{clusters: [c1]}", "{clusters: [c1], protect: yes please}"),
        12,
        33,
        "protect must be true or false, got the string 'yes please'",
    ),
    (
        "stack-no-clusters",
        minimal("{clusters: [c1]}", "{clusters: []}"),
        12,
        3,
        "stack 's1' owns no cluster, Cloud deployment or workspace",
    ),
    (
        "egress-port-string",
        MINIMAL + "egress:\n  allow:\n    - {name: x, cidrs: [10.0.0.0/8], ports: ['443']}\n",
        15,
        46,
        "must be an integer, got the string '443'",
    ),
    (
        "egress-protocol",
        MINIMAL
        + "egress:\n  allow:\n    - {name: x, cidrs: [10.0.0.0/8], ports: [443], protocol: ICMP}\n",
        15,
        62,
        "must be one of 'TCP' or 'UDP'",
    ),
    (
        "norway-problem",
        minimal("  region: us", "  region: no"),
        3,
        11,
        "YAML 1.1 reads 'no' as a boolean: quote it (\"no\") if it is text",
    ),
    # -- rules ------------------------------------------------------------------------------------
    (
        "unknown-workspace",
        minimal("workspace: A,", "workspace: Z,"),
        10,
        19,
        "unknown workspace 'Z'",
    ),
    (
        "unknown-cluster",
        minimal("cluster: c1,", "cluster: c2,"),
        10,
        31,
        "unknown cluster 'c2' (known: c1)",
    ),
    (
        "stack-unknown-cluster",
        minimal("{clusters: [c1]}", "{clusters: [c1, c9]}"),
        12,
        23,
        "unknown cluster 'c9'",
    ),
    ("reserved-namespace", minimal("[ns1]", "[kube-system]"), 10, 48, "reserved by Kubernetes"),
    ("bad-uuid", minimal("6f1e8c52-4b1e-4b7e-9a51-2d1d2f7e0a01", "6f1e8c52"), 5, 11, "not a UUID"),
    (
        "secret",
        minimal("apiKey: a.key", "apiKey: lsv2_sk_00000000000000000000000000000000_0000000000"),
        5,
        57,
        "looks like a LangSmith API key",
    ),
    ("uppercase-namespace", minimal("[ns1]", "[NS1]"), 10, 48, "not a valid Kubernetes name"),
    (
        "two-listeners-plain-ingress",
        minimal(
            "stacks:",
            "  l2: {workspace: A, cluster: c1, namespaces: [ns2], computeId: other}\nstacks:",
        ),
        7,
        3,
        "several listener releases in one cluster need",
    ),
    (
        "self-hosted-no-cidrs",
        minimal(
            "  region: us",
            "  hostBackendUrl: https://h.example.com\n  smithBackendUrl: https://s.example.com",
        ),
        2,
        1,
        "needs 'egressCidrs'",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_malformed_input_is_reported_at_the_right_place(text, line, col, fragment):
    errors = errors_of(text)
    matching = [e for e in errors if fragment in e.message]
    assert matching, f"no error contains {fragment!r}:\n" + "\n".join(e.format() for e in errors)
    assert (matching[0].line, matching[0].col) == (line, col), matching[0].format()


def test_there_are_at_least_forty_cases():
    assert len(CASES) >= 40
    assert len({c[0] for c in CASES}) == len(CASES)


def test_minimal_topology_is_valid():
    from tests.helpers import valid

    assert list(valid(MINIMAL).model.listeners) == ["l1"]
