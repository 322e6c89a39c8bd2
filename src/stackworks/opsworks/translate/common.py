"""What the translations share beyond `opsworks/shapes.py` (ARNs, timestamps, CustomJson):
user ARNs, string maps, whole numbers."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from stackworks.domain.errors import InvalidInput
from stackworks.opsworks.shapes import ACCOUNT

_USER_ARN = re.compile(r"^arn:[a-z-]+:iam::[^:]*:user/(?:[^/]+/)*(?P<name>[^/]+)$")


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


def string_map(values: Mapping[str, Any]) -> dict[str, str]:
    """A map OpsWorks types as string to string (Attributes): non-strings as their JSON."""
    return {
        str(key): value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        for key, value in values.items()
    }


def whole(value: float) -> int | float:
    """A number as an integer when it is whole, as the model's integer fields want."""
    return int(value) if float(value).is_integer() else value
