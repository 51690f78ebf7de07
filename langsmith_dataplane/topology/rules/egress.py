"""Egress rules and the addresses they open: CIDRs, ports, names."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.topology.rules.registry import (
    RuleContext,
    rule,
)
from langsmith_dataplane.topology.source_map import Path


def _cidr_problem(value: str) -> str | None:
    if "%" in value:  # Python accepts scoped IPv6 (fe80::1%eth0/128); NetworkPolicies do not
        return "a zone index ('%...') has no meaning in a network policy"
    if "/" not in value:
        return "needs a prefix length, e.g. 203.0.113.7/32"
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        return str(exc)
    return None


@rule("cidr")
def cidrs_are_valid(ctx: RuleContext) -> Iterator[Diagnostic]:
    """CIDRs have a prefix length, no host bits and no IPv6 zone.

    CIDRs parse, with no host bits set (10.0.0.1/8 is a typo for 10.0.0.0/8 or /32).
    """
    t = ctx.topology
    candidates: list[tuple[Path, str]] = []
    for i, cidr in enumerate(t.control_plane.egress_cidrs or []):
        candidates.append((("controlPlane", "egressCidrs", i), cidr))
    for i, cidr in enumerate(t.control_plane.beacon_cidrs or []):
        candidates.append((("controlPlane", "beaconCidrs", i), cidr))
    for i, egress_rule in enumerate(t.egress.allow):
        for j, cidr in enumerate(egress_rule.cidrs):
            candidates.append((("egress", "allow", i, "cidrs", j), cidr))
    for cname, cluster in t.clusters.items():
        if cluster.eks is not None:
            candidates.append((("clusters", cname, "eks", "vpcCidr"), cluster.eks.vpc_cidr))
            for i, cidr in enumerate(cluster.eks.registry_egress_cidrs):
                candidates.append((("clusters", cname, "eks", "registryEgressCidrs", i), cidr))
    for path, cidr in candidates:
        problem = _cidr_problem(cidr)
        if problem:
            yield ctx.error(path, f"'{cidr}' is not a valid CIDR: {problem}")


@rule("port")
def ports_in_range(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Egress ports are 1-65535."""
    for i, egress_rule in enumerate(ctx.topology.egress.allow):
        for j, port in enumerate(egress_rule.ports):
            if not 1 <= port <= 65535:
                yield ctx.error(
                    ("egress", "allow", i, "ports", j),
                    f"port {port} is out of range 1-65535",
                )


@rule("duplicate-egress-rule")
def egress_rule_names_unique(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Egress rule names are unique.

    Egress rules become NetworkPolicy and security-group rule names: unique.
    """
    seen: set[str] = set()
    for i, egress_rule in enumerate(ctx.topology.egress.allow):
        if egress_rule.name in seen:
            yield ctx.error(
                ("egress", "allow", i, "name"),
                f"egress rule '{egress_rule.name}' is defined twice",
            )
        seen.add(egress_rule.name)


# The broadest range a single service's addresses may take: a /16 (IPv4), a /48 (IPv6).
MIN_PREFIX = {4: 16, 6: 48}


@rule("service-cidr")
def service_addresses_are_specific(ctx: RuleContext) -> Iterator[Diagnostic]:
    """`egressCidrs` and `beaconCidrs` name one service's addresses: at most a /16 (IPv4) or /48
    (IPv6), never world-wide; `airGapped` takes no `beaconCidrs`.

    Control plane and beacon addresses are specific; `airGapped` means no beacon at all.
    """
    cp = ctx.topology.control_plane
    fields = (("egressCidrs", cp.egress_cidrs or []), ("beaconCidrs", cp.beacon_cidrs or []))
    for field, cidrs in fields:
        for index, cidr in enumerate(cidrs):
            try:
                network = ipaddress.ip_network(cidr, strict=True)
            except ValueError:
                continue  # reported by the cidr rule
            if network.prefixlen < MIN_PREFIX[network.version]:
                yield ctx.error(
                    ("controlPlane", field, index),
                    f"'{cidr}' is too broad for {field}: it names one service's addresses and "
                    f"becomes an allow policy, so at most a /{MIN_PREFIX[network.version]} is "
                    "accepted (a world-wide range would void default-deny egress); list the "
                    "service's own addresses, or use 'egress.allow' for a deliberate wide rule",
                )
    if cp.air_gapped and cp.beacon_cidrs:
        yield ctx.error(
            ("controlPlane", "beaconCidrs"),
            "'airGapped: true' means no beacon egress at all: drop 'beaconCidrs'",
            at="key",
        )


RULES = (cidrs_are_valid, ports_in_range, egress_rule_names_unique, service_addresses_are_specific)
