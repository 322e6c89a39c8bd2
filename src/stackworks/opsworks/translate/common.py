"""What every area's translation shares: timestamps, CustomJson strings, user ARNs, ID lists."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from stackworks.domain.errors import InvalidInput

#: the account every ARN Stackworks makes names: one server is one account
ACCOUNT = "000000000000"
_USER_ARN = re.compile(r"^arn:[a-z-]+:iam::[^:]*:user/(?:[^/]+/)*(?P<name>[^/]+)$")


def timestamp(at: datetime | None) -> str | None:
    """OpsWorks' CreatedAt/CompletedAt: an ISO 8601 string in UTC, to the second."""
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).replace(microsecond=0).isoformat()


def custom_json_in(text: str | None, field: str = "CustomJson") -> dict[str, Any]:
    """A CustomJson string as the JSON object it must hold; empty or absent is `{}`."""
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as bad:
        raise InvalidInput(
            f"{field}: not valid JSON ({bad.msg} at line {bad.lineno} column {bad.colno})",
            field=field,
        ) from None
    if not isinstance(value, dict):
        raise InvalidInput(f'{field}: must be a JSON object, e.g. {{"key": "value"}}', field=field)
    return value


def custom_json_out(value: Mapping[str, Any]) -> str | None:
    """A JSON object as OpsWorks' CustomJson string; None (left out) when it is empty."""
    return json.dumps(value, sort_keys=True) if value else None


def user_arn(name: str) -> str:
    """The IamUserArn that stands for Stackworks user `name`."""
    return f"arn:aws:iam::{ACCOUNT}:user/{name}"


def user_name(arn: str, field: str = "IamUserArn") -> str:
    """The Stackworks user an IamUserArn names: its last path segment (`arn:aws:iam::123:user/
    ops/ann` is `ann`); a bare user name is taken as it is."""
    text = (arn or "").strip()
    if not text.startswith("arn:"):
        if not text:
            raise InvalidInput(f"{field}: empty; give arn:aws:iam::ACCOUNT:user/NAME", field=field)
        return text
    match = _USER_ARN.match(text)
    if match is None:
        raise InvalidInput(
            f"{field}: {arn!r} is not a user ARN; expected arn:aws:iam::ACCOUNT:user/NAME, "
            "where NAME is a Stackworks user",
            field=field,
        )
    return match.group("name")


def compact(shape: Mapping[str, Any]) -> dict[str, Any]:
    """An answer shape without its None members: OpsWorks leaves out what it does not know."""
    return {key: value for key, value in shape.items() if value is not None}


def string_map(values: Mapping[str, Any]) -> dict[str, str]:
    """A map OpsWorks types as string to string (Attributes): non-strings as their JSON."""
    return {
        str(key): value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        for key, value in values.items()
    }


def whole(value: float) -> int | float:
    """A number as an integer when it is whole, as the model's integer fields want."""
    return int(value) if float(value).is_integer() else value
