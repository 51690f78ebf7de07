"""PyYAML's errors as one diagnostic each: the line and column, and what to change."""

from __future__ import annotations

import yaml

from langsmith_dataplane.diagnostics import Diagnostic


def yaml_error(exc: yaml.MarkedYAMLError, text: str, filename: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    lines = text.splitlines()
    offending = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in offending[: max(col, 1)] or (
        col - 1 < len(offending) and offending[col - 1] == "\t"
    ):
        message = "tab character in indentation; YAML allows only spaces for indentation"
    elif "mapping values are not allowed" in problem:
        message = (
            "unexpected ':' here: check the indentation of this line, or quote a value "
            "that contains ': '"
        )
    elif "could not find expected ':'" in problem and _long_key(exc, lines):
        message = (
            "a key longer than 1024 characters: YAML limits plain keys to 1024 characters "
            "(names here are far shorter; is a value missing its 'key: ' part?)"
        )
        line, col = exc.context_mark.line + 1, exc.context_mark.column + 1  # type: ignore[union-attr]
    elif "did not find expected key" in problem or "did not find expected '-'" in problem:
        message = f"bad indentation: {problem}"
    else:
        message = f"invalid YAML: {problem}"
    if exc.context and exc.context_mark and exc.context_mark.line + 1 != line:
        message += f" ({exc.context} started at line {exc.context_mark.line + 1})"
    return Diagnostic(filename, line, col, message, rule="yaml")


def _long_key(exc: yaml.MarkedYAMLError, lines: list[str]) -> bool:
    start = exc.context_mark
    if start is None or not 0 <= start.line < len(lines):
        return False
    rest = lines[start.line][start.column :]
    return ":" in rest and rest.index(":") >= 1024
