"""Escaping of user-supplied strings for each output format `plan`, `diff` and `render` write.

A topology string (a kubeconfig context, a region, an image) ends up in a terminal, a CI log, a
markdown pull-request comment and a mermaid diagram. Each format has its own ways to be forged:
terminal escapes (clear the screen, retitle, hyperlinks), a newline and three backticks that
close a code fence and turn the rest into live markdown or HTML, a mermaid label that closes its
quotes. Every user string goes through the function for its format; JSON and YAML output is
escaped by their serializers.
"""

from __future__ import annotations

import re

from langsmith_dataplane.diagnostics import SECRET_PATTERN

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|~<>&])")
_MERMAID_SAFE = re.compile(r"[^A-Za-z0-9 ._:/@-]")
MAX_VALUE = 200


def terminal(value: object, *, limit: int | None = MAX_VALUE) -> str:
    """One line, printable: control and bidirectional characters shown escaped, API keys
    redacted, overlong values cut (`limit=None`: a whole line of output, kept whole). Also what
    goes inside a markdown code fence, where text that cannot hold a newline cannot close it."""
    text = SECRET_PATTERN.sub("[redacted]", str(value))
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    if limit is not None and len(text) > limit:
        text = f"{text[:limit]}...({len(text):,} characters)"
    return text


def markdown(value: object) -> str:
    """Inline markdown (table cells, prose): every character with a markdown or HTML meaning is
    escaped, so a value renders as itself and never as a link, image, tag or code span."""
    return _MARKDOWN.sub(r"\\\1", terminal(value))


def mermaid(value: object) -> str:
    """Inside a quoted mermaid label: anything but plain letters, digits and `._:/@- ` becomes a
    mermaid entity code (`#60;`), so a value cannot close the quotes or inject HTML."""
    return _MERMAID_SAFE.sub(lambda m: f"#{ord(m.group())};", terminal(value))
