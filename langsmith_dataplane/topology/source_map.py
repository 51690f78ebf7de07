"""Where every value of a topology file came from: line and column of each key and value.

Every diagnostic points at the text a user wrote, so the map is built while the YAML is read
(the loader) and consulted by every check after (the schema errors, the rules)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from langsmith_dataplane.diagnostics import Diagnostic

Path = tuple[str | int, ...]
"""Keys and list indexes from the document root to a value."""


class Position(NamedTuple):
    """A tuple, not a frozen dataclass: a large file makes one per node, at half the cost."""

    line: int  # 1-based
    col: int  # 1-based


_new_position = tuple.__new__  # a NamedTuple's own constructor is a Python-level call


def mark_position(mark: Any) -> Position:
    """A libyaml or pure-Python mark (events always carry one) -> 1-based line and column."""
    return _new_position(Position, (mark.line + 1, mark.column + 1))


class SourceMap:
    """Where each path of the loaded data sits in the file.

    `values[path]` is the start of the value at `path`; `keys[path]` the start of the key that
    introduced it (absent for list items and the root). `raw[path]` is a scalar's source text and
    whether it was quoted, used to explain YAML typing surprises (`1.30` read as a float).

    A map made with `locate` is filled by it, on first use: a file with nothing to report never
    needs positions, and recording one for every node is most of what reading it costs.
    """

    def __init__(self, file: str, *, locate: Callable[[SourceMap], None] | None = None) -> None:
        self.file = file
        self._values: dict[Path, Position] = {}
        self._keys: dict[Path, Position] = {}
        self._raw: dict[Path, tuple[str, bool]] = {}
        self._locate = locate

    @property
    def located(self) -> bool:
        """Whether the positions are known yet (a deferred map is located on first use)."""
        return self._locate is None

    def _filled(self) -> SourceMap:
        if self._locate is not None:
            locate, self._locate = self._locate, None  # what it holds is freed once it ran
            locate(self)
        return self

    @property
    def values(self) -> dict[Path, Position]:
        return self._filled()._values

    @property
    def keys(self) -> dict[Path, Position]:
        return self._filled()._keys

    @property
    def raw(self) -> dict[Path, tuple[str, bool]]:
        return self._filled()._raw

    def key(self, path: Path) -> Position:
        """Position of the key that introduced `path`, else its value, else the nearest parent."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            found = self.keys.get(prefix) or self.values.get(prefix)
            if found:
                return found
        return Position(1, 1)

    def value(self, path: Path) -> Position:
        """Position of the value at `path`, falling back to the nearest recorded parent."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            found = self.values.get(prefix) or self.keys.get(prefix)
            if found:
                return found
        return Position(1, 1)

    def diagnostic(self, path: Path, message: str, *, at: str = "value", **kw: Any) -> Diagnostic:
        pos = self.key(path) if at == "key" else self.value(path)
        return Diagnostic(self.file, pos.line, pos.col, message, **kw)


@dataclass
class LoadedDocument:
    data: Any
    source: SourceMap
    text: str
