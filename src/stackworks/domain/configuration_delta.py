"""What changed between two stack configuration versions, as a delta an agent applies to the
version it holds (docs/agent-protocol.md, "Stack configuration").

A configure fan-out happens because one instance came or went, so the shared sections of the
new version differ from the old in one instance's entries; yet every agent fetched the whole new
version, O(N) bytes each, O(N²) per fan-out (bench/agents_bench.py: 64 MB at 1,000 agents). The
delta names only what differs: objects are compared key by key, anything else (lists, strings,
numbers, null) is replaced whole when it differs. Unlike a JSON merge patch it keeps a null
value (an instance's `elastic_ip` is often null), since a removal is its own list of paths.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
Path = tuple[str, ...]


@dataclass(frozen=True)
class ConfigurationDelta:
    """`set`: (path, value) pairs to put; `remove`: paths to delete; both from the root."""

    set: list[tuple[Path, Any]] = field(default_factory=list)
    remove: list[Path] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not self.set and not self.remove


def diff(old: JSON, new: JSON) -> ConfigurationDelta:
    """The delta that turns `old` into `new`."""
    delta = ConfigurationDelta()
    _diff_objects(old, new, (), delta)
    return delta


def _diff_objects(old: JSON, new: JSON, at: Path, delta: ConfigurationDelta) -> None:
    for key in old.keys() - new.keys():
        delta.remove.append((*at, key))
    for key, value in new.items():
        path = (*at, key)
        if key not in old:
            delta.set.append((path, value))
        elif isinstance(value, dict) and isinstance(old[key], dict):
            _diff_objects(old[key], value, path, delta)
        elif old[key] != value or type(old[key]) is not type(value):
            delta.set.append((path, value))


class DeltaDoesNotApply(ValueError):
    """The delta names a path the base does not have: it was made from another version."""


def apply(base: JSON, delta: ConfigurationDelta) -> JSON:
    """`base` with `delta` applied, as a new document (`base` is left as it was).

    Only the objects along the changed paths are copied; the rest is shared with `base`, so
    the caller must not change the result in place (the agent joins it into each command)."""
    result = dict(base)
    copied: set[Path] = {()}
    for path in delta.remove:
        parent = _parent(result, path, copied)
        if path[-1] not in parent:
            raise DeltaDoesNotApply(f"no {'.'.join(path)} to remove")
        del parent[path[-1]]
    for path, value in delta.set:
        _parent(result, path, copied)[path[-1]] = copy.deepcopy(value)
    return result


def _parent(root: JSON, path: Path, copied: set[Path]) -> JSON:
    """The object holding `path`'s last key, each object on the way copied once."""
    if not path:
        raise DeltaDoesNotApply("an empty path")
    node = root
    for depth in range(1, len(path)):
        key, prefix = path[depth - 1], path[:depth]
        child = node.get(key)
        if not isinstance(child, dict):
            raise DeltaDoesNotApply(f"{'.'.join(prefix)} is not an object")
        if prefix not in copied:
            child = node[key] = dict(child)
            copied.add(prefix)
        node = child
    return node
