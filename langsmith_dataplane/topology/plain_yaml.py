"""A topology file of the usual shape read in one quick pass, without positions.

Positions matter only when there is something to report, and recording one for every node is
most of what the position-keeping loader (`loader._Builder`) costs. So a file is first read
here: plain mappings, lists and scalars, with the loader's limits. Anything out of the ordinary
(an anchor, an alias, a merge key, a tag, a duplicate key, deep nesting, too many nodes, a
second document, a value that cannot be read, a YAML error, a top level that is not a mapping)
gives `None`, and the loader reads the file instead and reports it. Both read the same data (a
property test), and the loader locates positions later, if any check needs one.
"""

from __future__ import annotations

from typing import Any

import yaml

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


class _UnusualFileError(Exception):
    """The file needs the position-keeping loader."""


def read_plain(text: str, *, max_depth: int, max_nodes: int) -> dict[str, Any] | None:
    """The top-level mapping of `text`, or None when the loader must read it (see above)."""
    loader = EventLoader(text)
    try:
        return _read(loader, ScalarReader(), max_depth, max_nodes)
    except (_UnusualFileError, yaml.YAMLError, UnreadableScalarError):
        return None
    finally:
        loader.dispose()


def _read(loader: Any, scalars: ScalarReader, max_depth: int, max_nodes: int) -> Any:
    containers: list[Any] = []  # the open mappings and lists, innermost last
    keys: list[Any] = []  # for each: its pending key, _NO_KEY or _IN_LIST
    root: Any = None
    nodes = documents = 0
    while loader.check_event():
        event = loader.get_event()
        kind = type(event)
        if kind is _SCALAR:
            if event.anchor is not None or event.tag is not None:
                raise _UnusualFileError
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
