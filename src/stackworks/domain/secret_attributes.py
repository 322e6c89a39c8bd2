"""Custom JSON values marked secret: `{"$secret": "text"}` in a stack's or layer's custom JSON.

OpsWorks has no such marking; Stackworks needs one so that an API key kept in custom JSON is
encrypted at rest and masked like a secure environment value. The marking is a wrapper, not a
list of paths kept beside the JSON, so it travels with the value through updates, exports and
documents, and reads plainly in YAML (`api_key: {$secret: abc}`).

A wrapper is an object with the one key `$secret` and a string value. Recipes never see it: the
configuration an instance gets holds the plain string at that place (`unwrap`), and lists the
places in `stackworks.secret_attributes` so the agent scrubs the values from its logs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stackworks.domain.attributes import value_at
from stackworks.domain.entities import FILTERED
from stackworks.domain.errors import InvalidInput

#: the key of the wrapper that marks a custom JSON value secret
SECRET = "$secret"
#: a key only the store writes (its encrypted form); refused in what users send
RESERVED = "$sealed"

JSONPath = tuple[str | int, ...]


def is_wrapper(value: Any, key: str = SECRET) -> bool:
    return isinstance(value, dict) and len(value) == 1 and key in value


def transform(value: Any, key: str, replace: Callable[[JSONPath, Any], Any]) -> Any:
    """A copy of `value` with each `{key: x}` wrapper replaced by `replace(path, x)`."""
    return _transform(value, key, replace, ())


def _transform(value: Any, key: str, replace: Callable[[JSONPath, Any], Any], at: JSONPath) -> Any:
    if is_wrapper(value, key):
        return replace(at, value[key])
    if isinstance(value, dict):
        return {k: _transform(v, key, replace, (*at, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_transform(v, key, replace, (*at, n)) for n, v in enumerate(value)]
    return value


def dotted(path: JSONPath) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path)


def check(value: Any, field: str) -> None:
    """Refuse a malformed marking: `$secret` beside other keys or around a non-string, or the
    store's own `$sealed` key."""
    _check(value, field, ())


def _check(value: Any, field: str, at: JSONPath) -> None:
    if isinstance(value, dict):
        where = f"{field}{dotted(at)}"
        if RESERVED in value:
            raise InvalidInput(f"{where}: {RESERVED!r} is reserved for the server", field=where)
        if SECRET in value:
            if len(value) != 1 or not isinstance(value[SECRET], str):
                raise InvalidInput(
                    f'{where}: a secret is written {{"{SECRET}": "<text>"}} and nothing else',
                    field=where,
                )
            return
        for k, v in value.items():
            _check(v, field, (*at, k))
    elif isinstance(value, list):
        for n, v in enumerate(value):
            _check(v, field, (*at, n))


def paths(value: Any) -> list[JSONPath]:
    """Where the secrets of `value` are."""
    found: list[JSONPath] = []
    transform(value, SECRET, lambda at, _x: found.append(at))
    return found


def has_secrets(value: Any) -> bool:
    return bool(paths(value))


def unwrap(value: Any) -> Any:
    """The JSON recipes see: each wrapper replaced by its plain value."""
    return transform(value, SECRET, lambda _at, x: x)


def mask(value: Any) -> Any:
    """The JSON people see: each secret's value replaced by FILTERED, the wrapper kept."""
    return transform(value, SECRET, lambda _at, _x: {SECRET: FILTERED})


def secret_at(value: Any, path: JSONPath) -> str | None:
    """The secret stored at `path` in `value`, if there is one."""
    found = value_at(value, path)
    return found[SECRET] if is_wrapper(found) else None


def keep_masked(new: Any, old: Any) -> tuple[Any, list[JSONPath]]:
    """`new` with each secret sent as FILTERED (an export, sent back) given its value in `old`;
    returns it and the places `old` had no secret for, which are left out of it."""
    unresolved: list[JSONPath] = []

    def resolve(at: JSONPath, x: Any) -> Any:
        if x != FILTERED:
            return {SECRET: x}
        kept = secret_at(old, at)
        if kept is None:
            unresolved.append(at)
            return _DROP
        return {SECRET: kept}

    return _without_dropped(transform(new, SECRET, resolve)), unresolved


_DROP = object()


def _without_dropped(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_dropped(v) for k, v in value.items() if v is not _DROP}
    if isinstance(value, list):
        return [_without_dropped(v) for v in value if v is not _DROP]
    return value
