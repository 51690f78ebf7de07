"""YAML loading that remembers where every key and value came from.

PyYAML's own composer (and libyaml's, which it wraps) is recursive and crashes on deeply nested
input, and its constructor expands aliases without limit. So this module builds plain Python data
straight from the parser's event stream, iteratively, and in the same pass:

* records the line and column of every key and value (`SourceMap`), so later checks can point
  at the offending node;
* rejects duplicate keys, multiple documents, non-scalar keys, nesting deeper than `MAX_DEPTH`,
  and alias expansion beyond a node budget (the "billion laughs" attack) before doing the work;
* supports anchors, aliases and `<<` merge keys the way YAML 1.1 defines them.

Keys are always strings (the raw text), so a cluster called `on` or `1` is not turned into a
boolean or an integer; values are read by `yaml_scalars`.
"""

from __future__ import annotations

from typing import Any

import yaml

from langsmith_dataplane.diagnostics import Diagnostic, TopologyError
from langsmith_dataplane.topology.plain_yaml import EventLoader, read_plain
from langsmith_dataplane.topology.source_map import (
    LoadedDocument,
    Path,
    Position,
    SourceMap,
    mark_position,
)
from langsmith_dataplane.topology.yaml_errors import yaml_error
from langsmith_dataplane.topology.yaml_scalars import ScalarReader, UnreadableScalarError

MAX_DEPTH = 64
MIN_NODE_BUDGET = 100_000
ALIAS_EXPANSION_FACTOR = 10

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Anchor:
    """What an anchor points at: the built value, its position and its expanded size."""

    __slots__ = ("pos", "size", "value")

    def __init__(self, value: Any, size: int, pos: Position) -> None:
        self.value, self.size, self.pos = value, size, pos


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = ("anchor", "container", "is_map", "merges", "path", "pending_key", "pos", "size")

    def __init__(self, is_map: bool, path: Path, pos: Position, anchor: str | None) -> None:
        self.is_map = is_map
        self.container: Any = {} if is_map else []
        self.path = path
        self.pos = pos
        self.anchor = anchor
        self.pending_key: tuple[str, Position, bool] | None = None  # key, position, is_merge
        self.merges: list[tuple[Any, Position]] = []
        self.size = 1


class _Builder:
    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.source = SourceMap(filename)
        self.anchors: dict[str, _Anchor] = {}
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.root_pos = Position(1, 1)
        self.expanded = 0
        self.documents = 0
        self.budget = node_budget(text)
        self.scalars = ScalarReader()

    def fail(self, pos: Position, message: str) -> TopologyError:
        return TopologyError(
            [Diagnostic(self.source.file, pos.line, pos.col, message, rule="yaml")]
        )

    # -- paths -----------------------------------------------------------------------------
    def _child_path(self) -> Path | None:
        """Path of the next node, or None when the next node is a mapping key."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.is_map:
            if top.pending_key is None:
                return None
            return (*top.path, top.pending_key[0])
        return (*top.path, len(top.container))

    # -- events ----------------------------------------------------------------------------
    def build(self) -> Any:
        loader = EventLoader(self.text)
        handlers: dict[type, Any] = {  # by exact class: one lookup per event, not a chain
            yaml.ScalarEvent: self._scalar,
            yaml.MappingStartEvent: self._start,
            yaml.SequenceStartEvent: self._start,
            yaml.MappingEndEvent: self._end,
            yaml.SequenceEndEvent: self._end,
            yaml.AliasEvent: self._alias,
            yaml.DocumentStartEvent: self._document,
        }
        try:
            while loader.check_event():
                event = loader.get_event()
                handler = handlers.get(type(event))
                if handler is not None:
                    handler(event)
        finally:
            loader.dispose()
        return self.root

    def _document(self, event: yaml.DocumentStartEvent) -> None:
        self.documents += 1
        if self.documents > 1:
            raise self.fail(
                mark_position(event.start_mark),
                "a topology file holds one YAML document; found a second one "
                "(remove the '---' separator)",
            )

    def _scalar(self, event: yaml.ScalarEvent) -> None:
        pos = mark_position(event.start_mark)
        top = self.stack[-1] if self.stack else None
        if top is not None and top.is_map and top.pending_key is None:
            is_merge = event.tag is None and event.value == "<<" and event.implicit[0]
            self._set_key(top, event.value, pos, is_merge)
            return
        try:
            value = self.scalars.read(event)
        except UnreadableScalarError as problem:
            raise self.fail(pos, str(problem)) from None
        quoted = event.style is not None and event.style in ("'", '"')
        self._add(value, 1, pos, event.anchor, raw=(event.value, quoted))

    def _set_key(self, top: _Frame, key: str, pos: Position, is_merge: bool) -> None:
        if not is_merge and key in top.container:
            first = self.source.keys.get((*top.path, key))
            where = f" (first defined at line {first.line})" if first else ""
            raise self.fail(pos, f"duplicate key '{key}'{where}")
        top.pending_key = (key, pos, is_merge)

    def _start(self, event: yaml.CollectionStartEvent) -> None:
        pos = mark_position(event.start_mark)
        path = self._child_path()
        if path is None:
            raise self.fail(pos, "a mapping key must be a plain value, not a list or mapping")
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(pos, f"nesting is deeper than {MAX_DEPTH} levels")
        frame = _Frame(isinstance(event, yaml.MappingStartEvent), path, pos, event.anchor)
        self.stack.append(frame)

    def _end(self, _event: yaml.CollectionEndEvent | None = None) -> None:
        frame = self.stack.pop()
        if frame.is_map and frame.merges:
            self._apply_merges(frame)
        self._add(frame.container, frame.size, frame.pos, frame.anchor, collection=True)

    def _apply_merges(self, frame: _Frame) -> None:
        """`<<` keys: explicit keys win, then earlier merged mappings win over later ones."""
        for value, pos in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    raise self.fail(pos, "'<<' (merge key) needs a mapping or a list of mappings")
                for key, item in source.items():
                    if key not in frame.container:
                        frame.container[key] = item
                        self.source.values.setdefault((*frame.path, key), pos)
                        self.source.keys.setdefault((*frame.path, key), pos)

    def _alias(self, event: yaml.AliasEvent) -> None:
        pos = mark_position(event.start_mark)
        anchor = self.anchors.get(event.anchor or "")
        if anchor is None:
            raise self.fail(pos, f"alias '*{event.anchor}' refers to an undefined anchor")
        top = self.stack[-1] if self.stack else None
        if top is not None and top.is_map and top.pending_key is None:
            raise self.fail(pos, "an alias cannot be used as a mapping key")
        self._add(anchor.value, anchor.size, pos, None)

    def _add(
        self,
        value: Any,
        size: int,
        pos: Position,
        anchor: str | None,
        *,
        raw: tuple[str, bool] | None = None,
        collection: bool = False,
    ) -> None:
        self.expanded += size if not collection else 1
        if self.expanded > self.budget:
            raise self.fail(
                pos,
                f"aliases expand this document to more than {self.budget:,} values "
                "(an alias bomb?); use fewer or smaller anchors",
            )
        if anchor is not None:
            self.anchors[anchor] = _Anchor(value, size, pos)
        path = self._child_path()
        assert path is not None  # keys are handled before _add is called
        self.source.values[path] = pos
        if raw is not None:
            self.source.raw[path] = raw
        if not self.stack:
            self.root, self.root_pos = value, pos
            return
        top = self.stack[-1]
        top.size += size
        if not top.is_map:
            top.container.append(value)
            return
        key, key_pos, is_merge = top.pending_key  # type: ignore[misc]
        top.pending_key = None
        if is_merge:
            top.merges.append((value, pos))
            return
        top.container[key] = value
        self.source.keys[path] = key_pos


def node_budget(text: str) -> int:
    """How many values aliases may expand a document of `text` to (the "billion laughs")."""
    return max(MIN_NODE_BUDGET, ALIAS_EXPANSION_FACTOR * (text.count("\n") + 1))


def load_yaml(text: str, filename: str) -> LoadedDocument:
    """Parse `text` into plain data plus its source map; raise `TopologyError` on bad YAML.

    A file of the usual shape is read without positions (`read_plain`); its source map locates
    them only if a check asks for one."""
    plain = read_plain(text, max_depth=MAX_DEPTH, max_nodes=node_budget(text))
    if plain is not None:
        return LoadedDocument(plain.data, SourceMap(filename, locate=plain.locate), text)
    return read_with_positions(text, filename)


def read_with_positions(text: str, filename: str) -> LoadedDocument:
    """`text` read with the position of every key and value, or every YAML problem reported."""
    builder = _Builder(text, filename)
    try:
        data = builder.build()
    except yaml.MarkedYAMLError as exc:
        raise TopologyError([yaml_error(exc, text, filename)]) from None
    except yaml.reader.ReaderError as exc:  # a control character or similar, not a syntax error
        offset = exc.position
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        character = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"invalid YAML: character U+{character:04X} is not allowed in YAML text"
        raise TopologyError([Diagnostic(filename, line, col, message, rule="yaml")]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every parser error carries a mark
        diagnostic = Diagnostic(filename, 1, 1, f"invalid YAML: {exc}", rule="yaml")
        raise TopologyError([diagnostic]) from None
    if not builder.source.values:
        raise TopologyError(
            [Diagnostic(filename, 1, 1, "the file is empty; a topology starts with 'version: 1'")]
        )
    if not isinstance(data, dict):
        kind = describe_value(data)
        raise TopologyError(
            [
                Diagnostic(
                    filename,
                    builder.root_pos.line,
                    builder.root_pos.col,
                    f"the top level of a topology must be a mapping of keys (version, "
                    f"workspaces, ...), not {kind}",
                )
            ]
        )
    return LoadedDocument(data, builder.source, text)


def describe_value(value: Any) -> str:
    """How a YAML value reads to a person: 'a list', 'the number 1.3', 'null'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__} ({value})"


def decode(raw: bytes, filename: str) -> str:
    """Bytes to text, with a positioned error for invalid UTF-8 instead of a traceback."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise TopologyError(
            [
                Diagnostic(
                    filename,
                    line,
                    col,
                    f"the file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                )
            ]
        ) from None
    return text


def normalize_newlines(text: str) -> str:
    """Old Mac (CR) and Windows (CRLF) line ends become LF: every check that counts lines in the
    text (secrets, positions) then agrees with libyaml and the editor."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
