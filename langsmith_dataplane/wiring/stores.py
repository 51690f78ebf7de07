"""Where a listener's or server's Postgres and Redis are, for the egress and ingress policies."""

from __future__ import annotations

from typing import Any

import pulumi

from components.cluster import Cluster
from components.egress import Destination
from components.ingress_policies import StoreAccess

ANY_NAMESPACE = ""  # no `kubernetes.io/metadata.name` to match: every namespace


def store_destinations(
    stores: Any, namespace: pulumi.Input[str], cluster: Cluster
) -> tuple[Destination, ...]:
    out = []
    for store_name, store in stores:
        if store is None:
            continue
        if store.pod_labels is not None:
            out.append(
                Destination(
                    store_name, store.port, namespace=namespace, pod_labels=store.pod_labels
                )
            )
        elif cluster.network is not None:
            cidrs = pulumi.Output.from_input(cluster.network.vpc_cidr).apply(lambda c: [c])
            out.append(Destination(store_name, store.port, cidrs=cidrs))
    return tuple(out)


def store_access(stores: Any, clients: list[pulumi.Input[str]]) -> tuple[StoreAccess, ...]:
    """In-cluster stores (pods with labels) and who connects to them; managed ones have none."""
    return tuple(
        StoreAccess(store_name, store.pod_labels, store.port, clients)
        for store_name, store in stores
        if store is not None and store.pod_labels is not None
    )
