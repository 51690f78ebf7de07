"""The LangSmith rules (DESIGN §2), one module per topology section, registered explicitly here.

To add a rule: write it in its section's module with `@rule("name")` and a one-paragraph
docstring (the README row), and add it to that module's `RULES`. The README's rule table is
`python -m langsmith_dataplane.topology.rules` (a test keeps them equal).
"""

from __future__ import annotations

import inspect
from types import ModuleType

from langsmith_dataplane.diagnostics import Diagnostic
from langsmith_dataplane.topology.rules import (
    agent_servers,
    cloud_deployments,
    clusters,
    created_workspaces,
    deployments,
    egress,
    listeners,
    names,
    secrets,
    stacks,
    stores,
    workspaces,
)
from langsmith_dataplane.topology.rules.registry import Rule, RuleContext
from langsmith_dataplane.topology.rules.secrets import (
    escaped_secret_diagnostics,
    secret_diagnostics,
)

SECTIONS: tuple[tuple[str, ModuleType], ...] = (
    ("Workspaces and the control plane", workspaces),
    ("Created workspaces and service keys", created_workspaces),
    ("Names", names),
    ("Clusters and exposure", clusters),
    ("Stacks", stacks),
    ("Listeners", listeners),
    ("Deployments", deployments),
    ("Agent Servers", agent_servers),
    ("Cloud SaaS deployments", cloud_deployments),
    ("Postgres and Redis", stores),
    ("Egress", egress),
    ("Secrets", secrets),
)

RULES: dict[str, Rule] = {
    check.rule_name: check for _, module in SECTIONS for check in module.RULES
}


def run_rules(ctx: RuleContext) -> list[Diagnostic]:
    """Every registered rule over one topology, every offence of each."""
    return [d for check in RULES.values() for d in check(ctx)]


def describe(check: Rule) -> str:
    """A rule's README row: its docstring's first paragraph on one line."""
    doc = inspect.cleandoc(check.__doc__ or "").split("\n\n")[0]
    return " ".join(doc.split())


def markdown_table() -> str:
    """The README's table of registered rules, by section."""
    rows = ["| section | rule | what it enforces |", "| --- | --- | --- |"]
    for title, module in SECTIONS:
        for check in module.RULES:
            rows.append(f"| {title} | `{check.rule_name}` | {describe(check)} |")
    return "\n".join(rows) + "\n"


__all__ = [
    "RULES",
    "Rule",
    "RuleContext",
    "escaped_secret_diagnostics",
    "markdown_table",
    "run_rules",
    "secret_diagnostics",
]
