"""A topology file of the usual shape read in one quick pass, without positions.

Positions matter only when there is something to report, and recording one for every node is
most of what the position-keeping loader (`loader._Builder`) costs. So a file is first read
here: plain mappings, lists and scalars, with the loader's limits. Anything out of the ordinary
(an anchor, an alias, a merge key, a tag, a duplicate key, deep nesting, too many nodes, a
second document, a value that cannot be read, a YAML error, a top level that is not a mapping)
gives `None`, and the loader reads the file instead and reports it.

The events that made each node are kept, in document order (`PlainDocument.trail`). Such a file
has no alias or merge key, so its data mirrors them node for node: `locate` walks the two side
by side to give the positions the loader would have recorded, without parsing again. Property
tests hold the data and the positions to the loader's. The events live as long as the document's
source map (about 16 MB for a 1,000-listener file; a plan of it holds far more).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from langsmith_dataplane.topology.source_map import Path, SourceMap, mark_position
from langsmith_dataplane.topology.yaml_scalars import ScalarReader, UnreadableScalarError

try:  # libyaml is an order of magnitude faster; the wheels on PyPI ship it.
    from yaml import CSafeLoader as EventLoader
except ImportError:  # pragma: no cover - only on source builds without libyaml
    from yaml import SafeLoader as EventLoader  # type: ignore[assignment]

_SCALAR = yaml.ScalarEvent
_MAPPING_START = yaml.MappingStartEvent
_SEQUENCE_START = yaml.SequenceStartEvent
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_NO_KEY = object()  # an open mapping waiting for its next key
_IN_LIST = object()  # an open list: items have no key
_QUOTES = ("'", '"')


class _UnusualFileError(Exception):
    """The file needs the position-keeping loader."""


@dataclass(frozen=True)
class PlainDocument:
    """The top-level mapping, and the event of each key and value in document order."""

    data: dict[str, Any]
    trail: list[Any]

    def locate(self, source: SourceMap) -> None:
        """Fill `source` with the positions the loader records: `values` of every node, `keys`
        of mapping entries, `raw` of scalar values (their text, and whether it was quoted)."""
        _walk(self.data, (), iter(self.trail), source)


def _walk(value: Any, path: Path, trail: Iterator[Any], source: SourceMap) -> None:
    event = next(trail)
    source.values[path] = mark_position(event.start_mark)
    if type(event) is _SCALAR:
        source.raw[path] = (event.value, event.style in _QUOTES)
    elif type(value) is dict:
        for key, item in value.items():
            item_path = (*path, key)
            source.keys[item_path] = mark_position(next(trail).start_mark)
            _walk(item, item_path, trail, source)
    else:
        for index, item in enumerate(value):
            _walk(item, (*path, index), trail, source)


def read_plain(text: str, *, max_depth: int, max_nodes: int) -> PlainDocument | None:
    """`text` read quickly, or None when the loader must read it (see above)."""
    loader = EventLoader(text)
    trail: list[Any] = []
    try:
        return PlainDocument(_read(loader, ScalarReader(), max_depth, max_nodes, trail), trail)
    except (_UnusualFileError, yaml.YAMLError, UnreadableScalarError):
        return None
    finally:
        loader.dispose()


def _read(loader: Any, scalars: ScalarReader, max_depth: int, max_nodes: int, trail: list) -> Any:
    containers: list[Any] = []  # the open mappings and lists, innermost last
    keys: list[Any] = []  # for each: its pending key, _NO_KEY or _IN_LIST
    root: Any = None
    nodes = documents = 0
    keep = trail.append
    while loader.check_event():
        event = loader.get_event()
        kind = type(event)
        if kind is _SCALAR:
            if event.anchor is not None or event.tag is not None:
                raise _UnusualFileError
            keep(event)
            if keys and keys[-1] is _NO_KEY:
                key = event.value
                if key == "<<" or key in containers[-1]:
                    raise _UnusualFileError  # a merge key, or a duplicate the loader names
                keys[-1] = key
                continue
            value = scalars.read(event)
        elif kind is _MAPPING_START or kind is _SEQUENCE_START:
            if event.anchor is not None or event.tag is not None or len(keys) >= max_depth:
                raise _UnusualFileError
            if keys and keys[-1] is _NO_KEY:
                raise _UnusualFileError  # a list or mapping as a key
            keep(event)
            is_map = kind is _MAPPING_START
            containers.append({} if is_map else [])
            keys.append(_NO_KEY if is_map else _IN_LIST)
            continue
        elif kind in _ENDS:
            value = containers.pop()
            keys.pop()
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _UnusualFileError
            continue
        elif kind is yaml.AliasEvent:
            raise _UnusualFileError
        else:
            continue
        nodes += 1
        if nodes > max_nodes:
            raise _UnusualFileError
        if not keys:
            root = value
        elif keys[-1] is _IN_LIST:
            containers[-1].append(value)
        else:
            containers[-1][keys[-1]] = value
            keys[-1] = _NO_KEY
    if not isinstance(root, dict):
        raise _UnusualFileError
    return root
