"""Where the secrets sit in a stack configuration, so they can be masked, scrubbed or kept apart.

A command's configuration holds three kinds of secret: secure app environment values (named by
the app's `secure_keys`), each data source's `password` and `url`, and custom JSON values marked
secret (listed, relative to `attributes`, in `stackworks.secret_attributes`), and every attribute
named `password` or `*_password` (seed 001's `plone_instances.relstorage.db.password`,
`haproxy.stats_password`), marked or not. Every consumer asks
this module for the same places: the presenter masks them, the agent scrubs their values, and
the store keeps them encrypted apart from the rest (`split`) and puts them back only for the
agent that runs the command (`join`).
"""

from __future__ import annotations

import copy
from typing import Any

from stackworks.domain.attributes import value_at
from stackworks.domain.entities import FILTERED

JSON = dict[str, Any]
JSONPath = tuple[str | int, ...]


def secret_paths(configuration: JSON) -> list[JSONPath]:
    """Every place in `configuration` that holds a secret (and exists)."""
    found: list[JSONPath] = []
    for name, app in (configuration.get("apps") or {}).items():
        env = app.get("environment") or {}
        found.extend(
            ("apps", name, "environment", k) for k in app.get("secure_keys", []) if k in env
        )
        for n, source in enumerate(app.get("data_sources") or []):
            found.extend(
                ("apps", name, "data_sources", n, k) for k in ("password", "url") if k in source
            )
    for path in (configuration.get("stackworks") or {}).get("secret_attributes", []):
        full: JSONPath = ("attributes", *path)
        if value_at(configuration, full) is not None and full not in found:
            found.append(full)
    for path in _password_attributes(configuration.get("attributes") or {}, ("attributes",)):
        if path not in found:
            found.append(path)
    return found


def _is_password_key(key: object) -> bool:
    return isinstance(key, str) and (key == "password" or key.endswith("_password"))


def _password_attributes(value: Any, at: JSONPath) -> list[JSONPath]:
    """Paths of the attributes whose name says they hold a password (scalar values only)."""
    if isinstance(value, dict):
        found: list[JSONPath] = []
        for key, item in value.items():
            if _is_password_key(key) and isinstance(item, str | int) and str(item):
                found.append((*at, key))
            else:
                found.extend(_password_attributes(item, (*at, key)))
        return found
    if isinstance(value, list):
        return [p for n, item in enumerate(value) for p in _password_attributes(item, (*at, n))]
    return []


def _set(value: Any, path: JSONPath, new: Any) -> None:
    for part in path[:-1]:
        value = value[part]
    value[path[-1]] = new


def mask(configuration: JSON) -> JSON:
    """A copy fit for people: every secret replaced by FILTERED."""
    masked = copy.deepcopy(configuration)
    for path in secret_paths(masked):
        _set(masked, path, FILTERED)
    return masked


def values(configuration: JSON) -> list[str]:
    """Every secret value the configuration carries (not FILTERED ones): what logs lose."""
    found = (value_at(configuration, path) for path in secret_paths(configuration))
    return [str(v) for v in found if v not in (None, "", FILTERED)]


def split(configuration: JSON) -> tuple[JSON, list[list[Any]]]:
    """The configuration masked, and its secrets as `[[path, value], ...]` for `join`."""
    secrets = [
        [list(path), value_at(configuration, path)]
        for path in secret_paths(configuration)
        if value_at(configuration, path) != FILTERED
    ]
    return mask(configuration), secrets


def join(masked: JSON, secrets: list[list[Any]]) -> JSON:
    """The configuration `split` took apart, whole again."""
    whole = copy.deepcopy(masked)
    for path, value in secrets:
        if value_at(whole, tuple(path)) is not None:
            _set(whole, tuple(path), value)
    return whole
