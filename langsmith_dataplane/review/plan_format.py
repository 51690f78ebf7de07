"""Plans as text (terminal) and markdown (PR comments): counts per stack and type first."""

from __future__ import annotations

from collections import Counter, defaultdict

from langsmith_dataplane.review.cloud_words import cloud_lines
from langsmith_dataplane.review.diagram import mermaid
from langsmith_dataplane.review.escape import markdown, terminal
from langsmith_dataplane.review.plan import StackPlan, display_type
from langsmith_dataplane.review.workspace_words import credentials_words, workspace_lines
from langsmith_dataplane.stack_slice import (
    AgentServerTarget,
    ClusterTarget,
    ListenerTarget,
    slice_for_stack,
)
from langsmith_dataplane.topology.schema import ClusterSpec, Topology

NOTE = (
    "Pulumi program run under mocks: no credentials, no cloud calls; computed values are simulated."
)


def _tree(plan: StackPlan) -> list[str]:
    children: dict[str, list] = defaultdict(list)
    urns = {r.urn for r in plan.resources}
    for resource in plan.resources:
        parent = resource.parent if resource.parent in urns else ""
        children[parent].append(resource)
    lines: list[str] = []

    def walk(parent: str, depth: int) -> None:
        for resource in sorted(children.get(parent, []), key=lambda r: (r.type, r.name)):
            flags = " [protected]" if resource.protect else ""
            line = f"{'  ' * depth}{resource.type}  {resource.name}{flags}"
            lines.append(terminal(line, limit=None))
            walk(resource.urn, depth + 1)

    walk("", 0)
    return lines


def _listener_lines(topology: Topology, stack: str) -> list[str]:
    """What the stack deploys in words. Every line is escaped as a whole: a topology value
    (a context, a region) can never start a new line, print a terminal escape or close the
    markdown code fence these lines are shown in."""
    return [terminal(line, limit=None) for line in _described(topology, stack)]


def _described(topology: Topology, stack: str) -> list[str]:
    slice_ = slice_for_stack(topology, stack)
    lines = workspace_lines(slice_) + cloud_lines(slice_)
    for cluster in slice_.clusters:
        spec = cluster.spec
        kind = (
            f"eks {spec.eks.region}, Kubernetes {spec.eks.version}"
            if spec.eks
            else (f"existing, context {spec.existing.context}" if spec.existing else "")
        )
        scheme = "https" if spec.tls is not None else "http"
        served = (
            f"{scheme}://{spec.hostname}, health check on"
            if spec.hostname
            else f"{scheme}, no hostname: listener health check off"
        )
        exposure = exposure_words(spec.ingress)
        lines.append(f"cluster {cluster.name} ({kind}; {exposure}, {served})")
        for plan in cluster.listeners:
            listener = plan.spec
            postgres = (
                ("rds" if listener.postgres.rds else "inCluster")
                if listener.deployments
                else "none (no deployments)"
            )
            redis = "elasticache" if listener.redis.elasticache else "inCluster"
            if listener.listener_id:
                registered = f"listenerId {listener.listener_id}"
            elif listener.adopt:
                registered = f"ADOPTED: the registered listener {listener.adopt} taken over on up"
            else:
                registered = "registered on up"
            lines.append(
                f"  listener {plan.key}: workspace {plan.workspace_key}, "
                f"compute id {plan.compute_id}, "
                f"release {plan.release_namespace}/{plan.release_name}, watches "
                f"{', '.join(plan.watch_namespaces)}; postgres {postgres}, redis {redis}; "
                f"{registered}; "
                f"{credentials_words(slice_.workspace(plan.workspace_key), 'listener', plan.key)}"
            )
            lines.extend(_deployment_lines(plan))
        for server in cluster.agent_servers:
            lines.extend(_server_lines(server, cluster.spec))
            lines.append(
                "    "
                + credentials_words(
                    slice_.workspace(server.workspace_key), "agent server", server.key
                )
            )
        lines.extend(_revision_wait_note(cluster))
    registers = any(
        not plan.spec.listener_id for cluster in slice_.clusters for plan in cluster.listeners
    )
    if registers:
        lines.append(
            "listeners (the legacy hybrid setup): LangSmith allows registering them only on "
            "self-hosted enterprise plans; a 403 on registration means the plan has none"
        )
    return lines


def _server_lines(server: AgentServerTarget, cluster: ClusterSpec) -> list[str]:
    spec = server.spec
    queue = f", queue x{spec.queue.replicas}" if spec.queue.enabled else ""
    scaled = f" (autoscaled to {spec.autoscaling.max_replicas})" if spec.autoscaling else ""
    postgres = "rds" if spec.postgres.rds else "inCluster"
    redis = "elasticache" if spec.redis.elasticache else "inCluster"
    scheme = "https" if spec.tls is not None else "http"
    served = f"{scheme}://{spec.hostname}" if spec.hostname else "cluster-internal only"
    auth = (
        "LangSmith API keys of the workspace only"
        if spec.auth == "langsmith"
        else "the app's own auth handler"
    )
    lines = [
        f"  agent server {server.key} (standalone, langgraph-cloud): workspace "
        f"{server.workspace_key}, namespace {server.namespace}, image {spec.image}, "
        f"x{spec.replicas}{scaled}{queue}; external postgres {postgres}, redis {redis}; "
        f"{served} (ClusterIP Service, callers: {auth}); keys from Secret "
        f"{server.key}-langgraph-keys; egress to the LangSmith API and beacon only (plus "
        "egress.allow)"
    ]
    if spec.hostname and cluster.gateway is not None:
        gateway = f"{cluster.gateway.namespace}/{cluster.gateway.name}"
        what = "Istio Gateway" if cluster.ingress == "istio" else "Gateway"
        cert = f", with a certificate for {spec.hostname}" if spec.tls is not None else ""
        lines.append(
            f"    your {what} {gateway} must accept host {spec.hostname} from namespace "
            f"{server.namespace} on {scheme}{cert}"
        )
    return lines


def _revision_wait_note(cluster: ClusterTarget) -> list[str]:
    """The listener checks each new deployment through the hostname: DNS must be ready."""
    hostname = cluster.spec.hostname
    waits = any(d.image for plan in cluster.listeners for d in plan.spec.deployments.values())
    if not (hostname and waits):
        return []
    return [
        f"  note: `pulumi up` waits for each deployment's revision, which the listener checks "
        f"through {hostname}: create its DNS record (pointing at the exposure's load balancer) "
        "first, or set langsmith-dataplane:waitForRevisions false for the first `up`"
    ]


def _deployment_lines(plan: ListenerTarget) -> list[str]:
    """Image, namespace and variable NAMES of each deployment: never a value."""
    lines = []
    for name, deployment in sorted(plan.spec.deployments.items()):
        if deployment.image is None:
            lines.append(f"    deployment {name}: database and Redis DB {deployment.redis_db} only")
            continue
        namespace = deployment.namespace or plan.watch_namespaces[0]
        env = ", ".join(sorted(deployment.env)) or "none"
        secret = ", ".join(sorted(deployment.secret_env)) or "none"
        lines.append(
            f"    deployment {name}: image {deployment.image} in {namespace}, created through "
            f"the control plane; stores by reference; env {env}; secret env {secret}"
        )
    return lines


_PACKAGES = {"kubernetes": "k8s", "pulumi-python": "dynamic", "pulumi": "pulumi"}


def _wrapped(head: str, items: list[str], width: int = 100) -> list[str]:
    """`head` then the items, comma-separated, never splitting an item across lines."""
    lines, line = [], head
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if len(line) + len(piece) > width and line.strip():
            lines.append(line.rstrip())
            line = "  "
        line += piece + " "
    lines.append(line.rstrip())
    return lines


def _short_type(token: str, qualified: bool = False) -> str:
    """`kubernetes:networking.k8s.io/v1:NetworkPolicy` -> `k8s/NetworkPolicy`; `qualified`
    keeps the module where two types share a name (`aws/rds.SubnetGroup`)."""
    package, _, rest = token.partition(":")
    module, _, name = rest.rpartition(":")
    if qualified:
        name = f"{module.split('/')[0]}.{name}"
    return f"{_PACKAGES.get(package, package)}/{name}"


def display_counts(plan: StackPlan) -> list[str]:
    """`12 k8s/NetworkPolicy, 1 langsmith/Registration, ...`, most first."""
    counter = Counter(display_type(r) for r in plan.resources)
    # Display types (`langsmith/Registration`, `helm/ReleaseRecovery`) are short already.
    names = {t: _short_type(t) if ":" in t else t for t in counter}
    clashing = {n for n in names.values() if list(names.values()).count(n) > 1}
    shown = Counter(
        {
            (_short_type(t, qualified=True) if names[t] in clashing else names[t]): n
            for t, n in counter.items()
        }
    )
    return [f"{n} {t}" for t, n in sorted(shown.items(), key=lambda item: (-item[1], item[0]))]


def exposure_words(ingress: str) -> str:
    """How a cluster exposes its Agent Servers, in words (`ingress: ingress` is a plain
    Ingress, `gateway` the Gateway API)."""
    return {"ingress": "plain Ingress", "gateway": "Gateway API", "istio": "Istio"}.get(
        ingress, ingress
    )


def plan_text(
    topology: Topology, plans: dict[str, StackPlan], source: str, *, verbose: bool = False
) -> str:
    """What each stack deploys in words and its counts; the resource tree with `verbose`."""
    total = sum(len(p.resources) for p in plans.values())
    out = [f"Plan of {terminal(source)}: {len(plans)} stack(s), {total} resources", f"({NOTE})", ""]
    for name, plan in plans.items():
        protect = "yes" if topology.stacks[name].protect else "no"
        out.append(f"== stack {name}: {len(plan.resources)} resources (protect: {protect}) ==")
        out.extend(_listener_lines(topology, name))
        out.extend(_wrapped("resources: ", display_counts(plan)))
        if verbose:
            out.extend(f"  {line}" for line in _tree(plan))
        out.append("")
    if not verbose:
        out.append("(--verbose shows every resource)")
    return "\n".join(out).rstrip() + "\n"


def plan_markdown(topology: Topology, plans: dict[str, StackPlan], source: str) -> str:
    total = sum(len(p.resources) for p in plans.values())
    out = [
        f"## Plan of {markdown(source)}",
        "",
        f"{len(plans)} stack(s), {total} resources. _{NOTE}_",
        "",
    ]
    out += [
        "| stack | resources | protect | clusters | listeners |",
        "| --- | ---: | --- | --- | --- |",
    ]
    for name, plan in plans.items():
        slice_ = slice_for_stack(topology, name)
        clusters = ", ".join(c.name for c in slice_.clusters)
        listeners = ", ".join(p.key for p in slice_.listeners) or "-"
        protect = "yes" if slice_.protect else "no"
        out.append(f"| `{name}` | {len(plan.resources)} | {protect} | {clusters} | {listeners} |")
    types = sorted({t for p in plans.values() for t, _ in p.counts()})
    out += ["", "### Resources per type", ""]
    out.append("| type | " + " | ".join(f"`{n}`" for n in plans) + " |")
    out.append("| --- |" + " ---: |" * len(plans))
    for type_ in types:
        row = [str(dict(p.counts()).get(type_, 0)) for p in plans.values()]
        out.append(f"| `{type_}` | " + " | ".join(row) + " |")
    out += ["", "### Topology", "", "```mermaid", mermaid(topology, set(plans)), "```", ""]
    for name, plan in plans.items():
        out.append(
            f"<details><summary>stack <code>{name}</code>: "
            f"{len(plan.resources)} resources</summary>"
        )
        out += [
            "",
            "```text",
            *_listener_lines(topology, name),
            "",
            *_tree(plan),
            "```",
            "",
            "</details>",
            "",
        ]
    return "\n".join(out)
