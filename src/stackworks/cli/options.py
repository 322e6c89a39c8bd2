"""Parsers for the option values the CLI accepts in compact form.

Each turns a string from the command line into API data, or raises `UsageError` naming the option
(and, for JSON, where in the text it broke), before anything is sent. Secure environment values
are never repeated in a message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stackworks.cli.errors import UsageError
from stackworks.domain.errors import InvalidInput
from stackworks.domain.names import check_recipe_name
from stackworks.domain.status import CookbookSourceType, LifecycleEvent
from stackworks.wire.schemas import (
    CookbookSourceIn,
    DataSourceIn,
    EnvironmentVariableIn,
    VolumeConfigurationIn,
)

_EVENTS = ", ".join(event.value for event in LifecycleEvent)


def json_object(option: str, value: str) -> dict[str, Any]:
    """`--custom-json '{"a": 1}'` or `--custom-json @file.json`: a JSON object."""
    source = option
    text = value
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        source = f"{option} {path}"
        try:
            text = path.read_text()
        except OSError as exc:
            raise UsageError(f"{option}: cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"{source}: expected a JSON object ({{...}}), got {type(data).__name__}")
    return data


def csv(value: str | None) -> list[str]:
    """`a,b , c` -> ["a", "b", "c"]; empty items dropped."""
    if not value:
        return []
    return [item.strip() for item in value.split(",") if item.strip()]


def recipes(option: str, values: Iterable[str]) -> dict[str, list[str]]:
    """Repeated `--recipes setup=cb::r,configure=cb::r2`; the same event appends, in order."""
    parsed: dict[str, list[str]] = {}
    for value in values:
        for item in csv(value):
            event, sep, recipe = item.partition("=")
            event, recipe = event.strip(), recipe.strip()
            if not sep or not recipe:
                raise UsageError(f"{option}: {item!r} should be EVENT=cookbook::recipe")
            if event not in {e.value for e in LifecycleEvent}:
                raise UsageError(f"{option}: unknown event {event!r} (one of {_EVENTS})")
            try:
                check_recipe_name(recipe, field=option)
            except InvalidInput as exc:
                raise UsageError(exc.message) from None
            parsed.setdefault(event, []).append(recipe)
    return parsed


def environment(option: str, values: Iterable[str], *, secure: bool) -> list[EnvironmentVariableIn]:
    """Repeated `--env KEY=VALUE` (or `--secure-env`); a message never shows a secure value."""
    variables = []
    for value in values:
        key, sep, content = value.partition("=")
        key = key.strip()
        if not sep or not key:
            shown = "the value" if secure else repr(value)
            raise UsageError(f"{option}: {shown} should be KEY=VALUE")
        variables.append(EnvironmentVariableIn(key=key, value=content, secure=secure))
    return variables


def cookbook_sources(option: str, values: Iterable[str]) -> list[CookbookSourceIn]:
    """`git:URL@REF` (REF defaults to HEAD), `path:/dir` or `builtin`."""
    sources = []
    for value in values:
        kind, sep, rest = value.partition(":")
        if kind == CookbookSourceType.BUILTIN.value and not rest:
            sources.append(CookbookSourceIn(type=CookbookSourceType.BUILTIN))
        elif kind == CookbookSourceType.PATH.value and sep and rest:
            sources.append(CookbookSourceIn(type=CookbookSourceType.PATH, url=rest))
        elif kind == CookbookSourceType.GIT.value and sep and rest:
            url, ref = _split_ref(rest)
            sources.append(CookbookSourceIn(type=CookbookSourceType.GIT, url=url, ref=ref))
        else:
            raise UsageError(f"{option}: {value!r} should be git:URL[@REF], path:/dir or builtin")
    return sources


def _split_ref(location: str) -> tuple[str, str]:
    """`https://h/r.git@v1` -> (url, "v1"); `ssh://git@h/r.git` keeps its user, ref HEAD.

    The last `@` starts a ref only when a path (a `/` after the scheme) comes before it, so a
    ref may hold slashes (`@feature/x`) while `user@host` is never taken for one.
    """
    url, sep, ref = location.rpartition("@")
    path_part = url.partition("://")[2] if "://" in url else url
    if not sep or not ref or ":" in ref or "/" not in path_part:
        return location, "HEAD"
    return url, ref


def volume_configurations(option: str, values: Iterable[str]) -> list[VolumeConfigurationIn]:
    """`--volume MOUNT[:SIZE[:EVERY_HOURS[:KEEP]]]`, e.g. `/srv/data:10:24:15` (10 GiB,
    a snapshot a day, 15 kept)."""
    configurations = []
    for value in values:
        parts = value.split(":")
        if not parts[0] or len(parts) > 4:
            raise UsageError(f"{option}: {value!r} is not MOUNT[:SIZE[:EVERY_HOURS[:KEEP]]]")
        try:
            numbers = [int(p) for p in parts[1:]]
        except ValueError:
            raise UsageError(
                f"{option}: {value!r}: size, hours and keep are whole numbers"
            ) from None
        fields: dict[str, Any] = {"mount_point": parts[0]}
        for key, number in zip(
            ("size", "snapshot_every_hours", "snapshot_keep"), numbers, strict=False
        ):
            fields[key] = number
        configurations.append(VolumeConfigurationIn.model_validate(fields))
    return configurations


def data_sources(names: Iterable[str]) -> list[DataSourceIn]:
    """`--data-source NAME`: a registered database of the stack."""
    return [DataSourceIn(name=name) for name in names]


_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def duration(option: str, value: str) -> int:
    """`--expires-in 90d` (s, m, h, d or w; a bare number is seconds): whole seconds."""
    text = value.strip().lower()
    unit = _DURATION_UNITS.get(text[-1:], 0) if text else 0
    number = text[:-1] if unit else text
    if not number.isdigit() or int(number) == 0:
        raise UsageError(
            f"{option}: expected a duration such as 3600s, 90m, 12h, 30d or 2w, got {value!r}"
        )
    return int(number) * (unit or 1)


def read_key_file(path: Path, option: str = "--ssh-key") -> str:
    """The text of a private key file, or a UsageError naming the option and the file."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as error:
        raise UsageError(f"{option}: cannot read {path}: {error}") from None
