"""Property tests: generated valid topologies validate; mutated ones never crash the validator."""

from __future__ import annotations

import random

import yaml
from hypothesis import given
from hypothesis import strategies as st

from langsmith_dataplane.diagnostics import TopologyError
from langsmith_dataplane.topology import parse_topology
from tests.strategies import topologies


@given(topologies())
def test_generated_topologies_validate(data):
    topology = parse_topology(yaml.safe_dump(data, sort_keys=False))
    assert set(topology.model.listeners) == set(data["listeners"])
    assert set(topology.model.clusters) == set(data["clusters"])


JUNK = [None, 0, -1, 99999, 1.5, True, "", "x", "Not_Valid!", [], {}, [1, "a"], {"k": "v"}]


def _containers(node, path=()):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _containers(value, (*path, key))
    elif isinstance(node, list):
        yield path, node
        for index, value in enumerate(node):
            yield from _containers(value, (*path, index))


def _mutate(data: dict, rng: random.Random) -> None:
    containers = list(_containers(data))
    _, target = rng.choice(containers)
    if not target:
        return
    key = rng.choice(list(target)) if isinstance(target, dict) else rng.randrange(len(target))
    action = rng.choice(["delete", "replace", "rename", "duplicate"])
    if action == "delete":
        del target[key]
    elif action == "replace":
        target[key] = rng.choice(JUNK)
    elif action == "rename" and isinstance(target, dict):
        target[key + rng.choice(["x", "_", "-", "Z"])] = target.pop(key)
    elif action == "duplicate" and isinstance(target, list):
        target.append(target[key])


def _assert_only_validation_errors(text: str) -> None:
    """Valid, or a TopologyError whose diagnostics point inside the file; nothing else."""
    diagnostics = []
    try:
        parse_topology(text)
    except TopologyError as exc:
        diagnostics = exc.diagnostics
        assert diagnostics, "a TopologyError must carry diagnostics"
    lines = max(1, text.count("\n") + 1)
    for d in diagnostics:
        assert 1 <= d.line <= lines + 1, d
        assert d.col >= 1, d
        assert d.message


@given(topologies(), st.integers(0, 2**32 - 1), st.integers(1, 4))
def test_structural_mutations_only_raise_validation_errors(data, seed, rounds):
    rng = random.Random(seed)
    for _ in range(rounds):
        _mutate(data, rng)
    _assert_only_validation_errors(yaml.safe_dump(data, sort_keys=False))


@given(topologies(), st.integers(0, 2**32 - 1))
def test_text_mutations_only_raise_validation_errors(data, seed):
    rng = random.Random(seed)
    text = list(yaml.safe_dump(data, sort_keys=False))
    for _ in range(rng.randint(1, 5)):
        position = rng.randrange(len(text))
        choice = rng.choice(["delete", "insert", "swap"])
        if choice == "delete":
            del text[position]
        elif choice == "insert":
            text.insert(position, rng.choice(":-[]{}\t\n #&*!|>'\"%@`,?\x00é"))
        else:
            text[position] = rng.choice("abc019 :\n")
    _assert_only_validation_errors("".join(text))
