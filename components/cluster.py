"""`Cluster`: a Kubernetes cluster of the data plane, its provider and its add-ons.

`eks` creates the cluster and everything under it (`components/eks/`); `existing` builds the
provider from a kubeconfig context. Like pulumi-eks, the component owns its kubeconfig (a secret
output) and provider. Add-ons and the exposure: `cluster_addons.py`; the operator's CRD:
`operator_crd.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._common import PROVIDER_SETTINGS, ComponentError, child_opts
from components.aws_network import AwsNetwork
from components.cluster_addons import (
    AddonCharts,
    AddonNeeds,
    AddonSwitches,
    ClusterExposure,
    ExposureTarget,
    ServerRoute,
    install_addons,
)
from components.eks import EksArgs, build_eks
from components.helm_history import ClusterAccess
from components.operator_crd import operator_crd
from langsmith_dataplane.naming import cluster_provider
from langsmith_dataplane.versions import ChartRef

API_SERVER_PORT = 443


@dataclass(frozen=True)
class ExistingCluster:
    """A cluster made elsewhere: a context of a kubeconfig (None: the default kubeconfig)."""

    context: str
    kubeconfig_path: str | None = None


@dataclass(frozen=True)
class ClusterArgs:
    """Exactly one of `eks` / `existing`. `operator_chart`: the listener chart to take the
    operator's CRD from (None: the cluster runs no listener, so no CRD)."""

    name: str
    eks: EksArgs | None = None
    existing: ExistingCluster | None = None
    exposure: ClusterExposure = field(default_factory=ClusterExposure)
    addons: AddonSwitches = field(default_factory=AddonSwitches)
    protect: bool = False
    skip_await: bool = False
    operator_chart: ChartRef | None = None
    addon_needs: AddonNeeds = field(default_factory=AddonNeeds)
    server_routes: tuple[ServerRoute, ...] = ()
    addon_charts: AddonCharts = field(default_factory=AddonCharts)


class Cluster(pulumi.ComponentResource):
    provider: k8s.Provider
    kubeconfig: pulumi.Output[str] | None
    network: AwsNetwork | None
    api_server: pulumi.Output[list[dict[str, Any]]]
    exposure: ExposureTarget
    # How the stack's Helm release guards reach the API (`release_recovery`).
    access: ClusterAccess

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("langsmith:index:Cluster", name, None, opts)
        if (args.eks is None) == (args.existing is None):
            raise ComponentError(self, "a cluster needs exactly one of eks or existing")
        self.kubeconfig = None
        self.network = None
        if args.eks is not None:
            eks = build_eks(self, name, args.eks, protect=args.protect)
            self.provider, self.kubeconfig, self.network = eks.provider, eks.kubeconfig, eks.network
            self.access = ClusterAccess(kubeconfig=eks.kubeconfig)
            # EKS replaces the API server's network interfaces (upgrades, scaling), always
            # inside the VPC: allow the VPC on 443 rather than today's addresses.
            self.api_server = pulumi.Output.from_input(eks.network.vpc_cidr).apply(
                lambda cidr: [{"cidr": cidr, "port": API_SERVER_PORT}]
            )
        elif args.existing is not None:
            self.access = ClusterAccess(
                kubeconfig_path=args.existing.kubeconfig_path, context=args.existing.context
            )
            self.provider = k8s.Provider(
                cluster_provider(name),
                kubeconfig=args.existing.kubeconfig_path,
                context=args.existing.context,
                **PROVIDER_SETTINGS,
                opts=child_opts(self),
            )
            # The API server's own addresses, so egress policies can allow exactly them. They
            # are read at `pulumi up`: after moving the control plane, run `pulumi up` again.
            slice_ = k8s.discovery.v1.EndpointSlice.get(
                f"{name}-apiserver",
                "default/kubernetes",
                opts=child_opts(self, provider=self.provider),
            )
            self.api_server = pulumi.Output.all(slice_.endpoints, slice_.ports).apply(
                _api_endpoints
            )
        self.exposure = install_addons(
            self,
            name,
            args.exposure,
            args.addons,
            provider=self.provider,
            skip_await=args.skip_await,
            needs=args.addon_needs,
            server_routes=args.server_routes,
            charts=args.addon_charts,
            access=self.access,
        )
        if args.operator_chart is not None:
            operator_crd(
                self, name, args.operator_chart, provider=self.provider, protect=args.protect
            )
        outputs: dict[str, Any] = {"apiServer": self.api_server}
        if self.kubeconfig is not None:
            outputs["kubeconfig"] = self.kubeconfig
        self.register_outputs(outputs)


def _api_endpoints(values: list[Any]) -> list[dict[str, Any]]:
    """[{cidr, port}] for every API server address and port in the EndpointSlice."""
    endpoints, ports = values
    addresses = sorted(
        {address for endpoint in endpoints or [] for address in _get(endpoint, "addresses") or []}
    )
    numbers = sorted({int(_get(port, "port")) for port in ports or [] if _get(port, "port")}) or [
        443
    ]
    out: list[dict[str, Any]] = []
    for address in addresses:
        suffix = "/128" if ":" in address else "/32"
        out.extend({"cidr": f"{address}{suffix}", "port": port} for port in numbers)
    return out


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
