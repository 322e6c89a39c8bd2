"""Where in a JSON text a mistake is: the line and column people look for in an editor.

A form that takes JSON as text (the console's custom JSON editors) has two kinds of mistake to
point at. A syntax error: `load` raises `JsonTextError` with the line and column the parser
stopped at. A value the validation refuses: the validation names a JSON path
(`custom_json.haproxy.port`, `custom_json.list[2]`), `path_in_field` turns that name back into
a path, and `locate` finds the line and column of that member in the text the user wrote.

Lines and columns count from 1, columns in characters, as editors and Python's JSON parser do;
a CRLF line end (what browsers send from a textarea) counts as one line end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from stackworks.domain.errors import InvalidInput

JSONPath = tuple[str | int, ...]

#: how deep arrays and objects may nest (the API's default limit, api/limits.py)
DEFAULT_MAX_DEPTH = 64

#: one JSON token: punctuation, a whole string (escapes included), or a bare scalar
_TOKEN = re.compile(
    r'(?P<punct>[{}\[\]:,])|(?P<string>"(?:[^"\\]|\\.)*")|(?P<scalar>[^\s{}\[\]:,"]+)', re.DOTALL
)
#: one step of a dotted path: `.key` or `[3]`
_STEP = re.compile(r"\.(?P<key>[^.\[\]]+)|\[(?P<index>\d+)\]")


@dataclass(frozen=True)
class Position:
    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


class JsonTextError(InvalidInput):
    """JSON text that cannot be used as it is, with where the problem is (when known)."""

    def __init__(
        self, message: str, *, field: str, position: Position | None = None, path: str = ""
    ) -> None:
        where = f"{path or field} ({position})" if position else path or field
        super().__init__(f"{where}: {message}", field=path or field)
        self.reason = message
        self.position = position
        self.path = path


def position_of(text: str, offset: int) -> Position:
    """The line and column of character `offset` of `text`."""
    line_start = text.rfind("\n", 0, offset) + 1
    return Position(text.count("\n", 0, offset) + 1, offset - line_start + 1)


def load(text: str, *, field: str, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """`text` parsed as JSON; JsonTextError with the line and column of a syntax error, or of
    the bracket that nests deeper than `max_depth` (checked first: the parser recurses)."""
    too_deep = _too_deep_at(text, max_depth)
    if too_deep is not None:
        raise JsonTextError(
            f"nested deeper than {max_depth} arrays and objects",
            field=field,
            position=position_of(text, too_deep),
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise JsonTextError(
            error.msg, field=field, position=Position(error.lineno, error.colno)
        ) from None


def load_object(text: str, *, field: str, max_depth: int = DEFAULT_MAX_DEPTH) -> dict[str, Any]:
    """`load`, and the value must be an object (custom JSON is one); empty text is `{}`."""
    if not text.strip():
        return {}
    value = load(text, field=field, max_depth=max_depth)
    if not isinstance(value, dict):
        start = len(text) - len(text.lstrip())
        raise JsonTextError(
            f"must be a JSON object ({{...}}), not {type(value).__name__}",
            field=field,
            position=position_of(text, start),
        )
    return value


def _too_deep_at(text: str, max_depth: int) -> int | None:
    depth = 0
    for token in _TOKEN.finditer(text):
        punct = token.group("punct")
        if punct in ("{", "["):
            depth += 1
            if depth > max_depth:
                return token.start()
        elif punct in ("}", "]"):
            depth -= 1
    return None


@dataclass
class _Container:
    path: JSONPath
    is_object: bool
    key: str | None = None
    index: int = 0
    awaiting_key: bool = field(default=False)


def locate(text: str, path: Sequence[str | int]) -> Position | None:
    """Where the member at `path` stands in `text`: an object member's key, an array element's
    value. A path the text does not hold gives its deepest ancestor that it does; a repeated
    key gives its last occurrence (the one a parser keeps). None: `text` holds no JSON value.
    """
    target = tuple(path)
    best: tuple[int, int] | None = None  # (depth, offset)

    def seen(at: JSONPath, offset: int) -> None:
        nonlocal best
        if target[: len(at)] == at and (best is None or len(at) >= best[0]):
            best = (len(at), offset)

    stack: list[_Container] = []
    for token in _TOKEN.finditer(text):
        punct, string = token.group("punct"), token.group("string")
        top = stack[-1] if stack else None
        if top is not None and top.is_object and top.awaiting_key and string is not None:
            top.key = json.loads(string)
            top.awaiting_key = False
            seen((*top.path, top.key), token.start())
            continue
        if punct == ":":
            continue
        if punct == ",":
            if top is not None and top.is_object:
                top.awaiting_key = True
            elif top is not None:
                top.index += 1
            continue
        if punct in ("}", "]"):
            if stack:
                stack.pop()
            continue
        # a value starts here
        if top is None:
            at: JSONPath = ()
            seen(at, token.start())
        elif top.is_object:
            at = (*top.path, top.key or "")
        else:
            at = (*top.path, top.index)
            seen(at, token.start())
        if punct in ("{", "["):
            stack.append(_Container(at, is_object=punct == "{", awaiting_key=punct == "{"))
    return position_of(text, best[1]) if best is not None else None


def path_in_field(name: str, prefix: str) -> JSONPath | None:
    """The JSON path a validation error names, below `prefix`: `custom_json.a.b[2]` with
    prefix `custom_json` is ("a", "b", 2); `custom_json` alone is (). None: not below `prefix`,
    or not a path."""
    if name != prefix and not name.startswith((f"{prefix}.", f"{prefix}[")):
        return None
    rest = name[len(prefix) :]
    steps: list[str | int] = []
    at = 0
    for step in _STEP.finditer(rest):
        if step.start() != at:
            return None
        key, index = step.group("key"), step.group("index")
        steps.append(int(index) if index is not None else key)
        at = step.end()
    return tuple(steps) if at == len(rest) else None


def pointed(text: str, error: InvalidInput, *, field: str) -> JsonTextError:
    """The validation error `error` about the value parsed from `text` (the form field
    `field`), pointed at the place in `text` of the path it names."""
    name = error.field or ""
    path = path_in_field(name, field)
    position = locate(text, path) if path is not None else None
    reason = error.message
    if path is not None and reason.startswith(f"{name}: "):
        reason = reason[len(name) + 2 :]
    return JsonTextError(reason, field=field, position=position, path=name if path else "")
