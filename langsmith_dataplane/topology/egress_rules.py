"""Rules that keep default-deny egress meaningful: one value must not void it.

`controlPlane.egressCidrs` and `beaconCidrs` promise one service's addresses, and become allow
policies with harmless names (`allow-control-plane`, `allow-license-check`): a world-wide or very
broad range there would allow everything under that name. An air-gapped stack reaches no beacon.
The Gateway's namespace belongs to the gateway: default-deny there would cut every route.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.topology.rules import RuleContext, rule

# The broadest range a single service's addresses may take: a /16 (IPv4), a /48 (IPv6).
MIN_PREFIX = {4: 16, 6: 48}


@rule("service-cidr")
def service_addresses_are_specific(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Control plane and beacon addresses are specific; `airGapped` means no beacon at all."""
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


@rule("gateway-namespace")
def gateway_namespaces_are_the_gateways(ctx: RuleContext) -> Iterator[Diagnostic]:
    """No listener or server namespace is the namespace of the cluster's named gateway."""
    t = ctx.topology
    gateways = {
        name: cluster.gateway.namespace
        for name, cluster in t.clusters.items()
        if cluster.gateway is not None
    }
    if not gateways:
        return
    owners = [
        (("listeners", lname, "namespaces", i), listener.cluster, ns)
        for lname, listener in t.listeners.items()
        for i, ns in enumerate(listener.namespaces)
    ]
    owners += [
        (("agentServers", sname, "namespace"), server.cluster, server.namespace)
        for sname, server in t.agent_servers.items()
    ]
    for path, cluster, namespace in owners:
        if gateways.get(cluster) == namespace:
            yield ctx.error(
                path,
                f"namespace '{namespace}' holds cluster '{cluster}''s gateway: the stack would "
                "claim it and put default-deny policies on the gateway's own pods, cutting every "
                "route; choose another namespace",
            )
