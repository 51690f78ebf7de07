"""Diagnostics: one finding about the topology file, pinned to a line and column.

Everything that can be wrong with user input ends up as a `Diagnostic`, so the CLI, the Pulumi
program and the tests all report problems the same way (`file:line:col: error: message`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem in an input file. Lines and columns are 1-based, as editors show them."""

    file: str
    line: int
    col: int
    message: str
    severity: Severity = Severity.ERROR
    rule: str = ""

    def format(self, style: str = "text") -> str:
        suffix = f" [{self.rule}]" if self.rule and style == "text" else ""
        if style == "github":
            return (
                f"::{self.severity.value} file={self.file},line={self.line},col={self.col}"
                f"::{_escape_github(self.message)}"
            )
        return f"{self.file}:{self.line}:{self.col}: {self.severity.value}: {self.message}{suffix}"


def _escape_github(message: str) -> str:
    """GitHub workflow commands need %, CR and LF escaped in the message part."""
    return message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


class TopologyError(Exception):
    """Raised when a topology file has errors; carries every diagnostic found, sorted."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.file, d.line, d.col, d.message))
        super().__init__(self.render())

    def render(self, style: str = "text") -> str:
        return "\n".join(d.format(style) for d in self.diagnostics)


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.ERROR]
