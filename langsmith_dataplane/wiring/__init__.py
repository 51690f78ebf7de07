"""The one path from a topology to a stack's resources.

    __main__.py            -> entrypoint.main(): the stack's settings, its topology, its secrets
    stack_slice            -> the part of the validated model this stack owns (targets)
    wiring.stack           -> build_stack(): one function per target kind, declaring components
      wiring.clusters        `Cluster` (EKS or existing, add-ons, exposure)
      wiring.listeners       `Listener` and its namespaces' egress and ingress policies
      wiring.agent_servers   `AgentServer` and its namespace's policies
      wiring.component_args  topology specs -> the components' own Args (the only translation)
    components/            -> Pulumi resources; they never import the topology package
    outputs                -> `pulumi stack output` (`listeners`, `agentServers`, `kubeconfigs`)

`simulation.simulate()` runs the same `build_stack` under Pulumi's mocks for `plan`, `diff` and
`render`, so what a review shows is what `pulumi up` declares.
"""

from langsmith_dataplane.wiring.options import ApiKeyLookup, ProgramOptions
from langsmith_dataplane.wiring.stack import build_stack

__all__ = ["ApiKeyLookup", "ProgramOptions", "build_stack"]
