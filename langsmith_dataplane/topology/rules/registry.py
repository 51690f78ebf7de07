"""What a rule is: a named check `(RuleContext) -> Iterable[Diagnostic]` over the validated model.

Rules never raise on odd input and each reports every offence it finds, so a user sees all
problems of a file at once. `@rule(name)` only names a check (the name is printed after each
message, `[shared-namespace]`); which rules run is the explicit list in `rules/__init__.py`.
A rule's docstring is its row in the README's rule table.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from langsmith_dataplane.diagnostics import Diagnostic, Severity
from langsmith_dataplane.topology.schema import CONFIG_KEY, RFC1123_LABEL, ListenerSpec, Topology
from langsmith_dataplane.topology.source_map import Path, SourceMap

RFC1123_PATTERN = re.compile(RFC1123_LABEL)
CONFIG_KEY_PATTERN = re.compile(CONFIG_KEY)


@dataclass(frozen=True)
class RuleContext:
    """The model, where each value came from, and the raw text; shared by every rule."""

    topology: Topology
    source: SourceMap
    text: str

    def error(self, path: Path, message: str, *, at: str = "value") -> Diagnostic:
        return self.source.diagnostic(path, message, at=at)

    def warning(self, path: Path, message: str, *, at: str = "value") -> Diagnostic:
        return self.source.diagnostic(path, message, at=at, severity=Severity.WARNING)

    @cached_property
    def listeners_by_cluster(self) -> dict[str, list[tuple[str, ListenerSpec]]]:
        grouped: dict[str, list[tuple[str, ListenerSpec]]] = defaultdict(list)
        for name, listener in self.topology.listeners.items():
            grouped[listener.cluster].append((name, listener))
        return grouped


class Rule(Protocol):
    """A named check; its diagnostics carry `rule_name`."""

    rule_name: str
    __name__: str
    __doc__: str | None

    def __call__(self, ctx: RuleContext) -> Iterable[Diagnostic]: ...


Check = Callable[[RuleContext], Iterable[Diagnostic]]


def rule(name: str) -> Callable[[Check], Rule]:
    """Name a check: every diagnostic it yields is tagged with `name`."""

    def named(check: Check) -> Rule:
        def tagged(ctx: RuleContext) -> Iterator[Diagnostic]:
            for d in check(ctx):
                yield Diagnostic(d.file, d.line, d.col, d.message, d.severity, name)

        tagged.__name__ = check.__name__
        tagged.__doc__ = check.__doc__
        tagged.rule_name = name  # type: ignore[attr-defined]
        return tagged  # type: ignore[return-value]

    return named
