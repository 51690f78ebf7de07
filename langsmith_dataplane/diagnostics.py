"""Diagnostics: one finding about the topology file, pinned to a line and column.

Everything that can be wrong with user input ends up as a `Diagnostic`, so the CLI, the Pulumi
program and the tests all report problems the same way (`file:line:col: error: message`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

# LangSmith API keys (lsv2_pt_..., lsv2_sk_...) and the legacy ls__ form.
SECRET_PATTERN = re.compile(r"(?<![A-Za-z0-9])(lsv2_[A-Za-z0-9_]+|ls__[0-9a-f]{16,})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LONG_WORD = re.compile(r"\S{121,}")
MAX_MESSAGE = 400
MAX_DIAGNOSTICS = 100


def clean(text: str) -> str:
    """Text safe to print anywhere: secrets redacted, control characters (newlines, terminal
    escapes) shown escaped, very long values cut. Input ends up in messages; never trust it."""
    text = SECRET_PATTERN.sub("[redacted]", text)
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)
    text = _LONG_WORD.sub(lambda m: f"{m.group()[:60]}...({len(m.group()):,} characters)", text)
    if len(text) > MAX_MESSAGE:
        text = f"{text[:MAX_MESSAGE]}...(cut)"
    return text


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

    def __post_init__(self) -> None:
        # Every message is cleaned once, here, whichever rule or check wrote it.
        object.__setattr__(self, "message", clean(self.message))

    def format(self, style: str = "text") -> str:
        suffix = f" [{self.rule}]" if self.rule and style == "text" else ""
        if style == "github":
            file = github_property(clean(self.file))
            return (
                f"::{self.severity.value} file={file},line={self.line},col={self.col}"
                f"::{github_data(self.message)}"
            )
        file = clean(self.file)
        return f"{file}:{self.line}:{self.col}: {self.severity.value}: {self.message}{suffix}"


def github_data(text: str) -> str:
    """The message part of a workflow command: %, CR and LF escaped (GitHub's rules)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_property(text: str) -> str:
    """A property value (`file=`): also ':' and ',', which would end or split the property."""
    return github_data(text).replace(":", "%3A").replace(",", "%2C")


class TopologyError(Exception):
    """Raised when a topology file has errors; carries every diagnostic found, sorted."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        ordered = sorted(set(diagnostics), key=lambda d: (d.file, d.line, d.col, d.message))
        if len(ordered) > MAX_DIAGNOSTICS:  # one mistake repeated by aliases, a generated file
            last = ordered[MAX_DIAGNOSTICS - 1]
            rest = len(ordered) - MAX_DIAGNOSTICS + 1
            ordered = [
                *ordered[: MAX_DIAGNOSTICS - 1],
                Diagnostic(last.file, last.line, last.col, f"... and {rest:,} more problems"),
            ]
        self.diagnostics = ordered
        super().__init__(self.render())

    def render(self, style: str = "text") -> str:
        return "\n".join(d.format(style) for d in self.diagnostics)


def errors_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.severity is Severity.ERROR]
