"""Rules of the egress section: CIDRs, ports, rule names."""

from __future__ import annotations

import pytest

from tests.helpers import line_of, only_error, ref, valid

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
