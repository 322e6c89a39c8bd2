"""Deep merge of attribute trees: how custom JSON at each level overrides the one below."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any


def deep_merge(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Merge attribute trees, later ones winning; nested mappings merge, anything else replaces.

    Lists replace rather than concatenate, so a user can shorten a default list.
    The inputs are never modified.
    """
    merged: dict[str, Any] = {}
    for layer in layers:
        _merge_into(merged, layer)
    return merged


def _merge_into(target: dict[str, Any], source: Mapping[str, Any]) -> None:
    for key, value in source.items():
        current = target.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            _merge_into(current, value)
        elif isinstance(value, Mapping):
            target[key] = deep_merge(value)
        else:
            target[key] = copy.deepcopy(value)


def value_at(tree: Any, path: Sequence[str | int]) -> Any:
    """The value at `path` (keys of mappings, indexes of lists) in `tree`, or None."""
    value = tree
    for part in path:
        if isinstance(value, Mapping) and isinstance(part, str):
            if part not in value:
                return None
            value = value[part]
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return None
    return value
