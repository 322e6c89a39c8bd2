"""Pieces of the OpsWorks shapes that every area of the API shares: ARNs, timestamps, custom
JSON as a string, the OpsWorks-only attributes a resource keeps.

OpsWorks ids are UUIDs, and so are Stackworks' (store/ids.py): a StackId, LayerId, InstanceId,
AppId or DeploymentId *is* the Stackworks id of the same thing, so the mapping is stable by
construction and needs no table.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm import Session

from stackworks.domain import secret_attributes
from stackworks.opsworks.errors import ValidationException
from stackworks.store import opsworks_attributes

Model = TypeVar("Model", bound=BaseModel)

#: the account part of the ARNs Stackworks makes up (there is no AWS account behind them)
ACCOUNT = "000000000000"
DEFAULT_REGION = "stackworks"


def arn(region: str, kind: str, resource_id: str, stack_id: str | None = None) -> str:
    """An ARN of OpsWorks' form: `arn:aws:opsworks:REGION:ACCOUNT:stack/ID/`, `instance/ID`."""
    if kind == "stack":
        return f"arn:aws:opsworks:{region}:{ACCOUNT}:stack/{resource_id}/"
    return f"arn:aws:opsworks:{region}:{ACCOUNT}:{kind}/{resource_id}"


def region(session: Session, stack_id: str) -> str:
    """The Region the stack was created with (its ARNs and those of what is in it name it)."""
    return str(opsworks_attributes.get(session, stack_id).get("Region") or DEFAULT_REGION)


def timestamp(at: datetime | None) -> str | None:
    """OpsWorks' timestamps are strings: `2026-12-01T21:40:00+00:00`."""
    return at.isoformat(timespec="seconds") if at else None


def custom_json_in(text: str | None, field: str = "CustomJson") -> dict[str, Any]:
    """A CustomJson string as the object Stackworks keeps; "" or None is no custom JSON."""
    if text is None or not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as error:
        raise ValidationException(f"{field}: not valid JSON ({error})") from None
    except RecursionError:
        raise ValidationException(f"{field}: nested too deep to read") from None
    if not isinstance(value, dict):
        raise ValidationException(f"{field}: must be a JSON object, as a string")
    return value


def custom_json_given(params: dict[str, Any]) -> dict[str, Any] | None:
    """An update's CustomJson as an object, or None when the update leaves it as it is."""
    given = params.get("CustomJson")
    return custom_json_in(given) if given is not None else None


def custom_json_out(value: dict[str, Any]) -> str:
    """Custom JSON as OpsWorks returns it, a string, with secrets masked."""
    return json.dumps(secret_attributes.mask(value), separators=(",", ":"))


def drop_none(shape: dict[str, Any]) -> dict[str, Any]:
    """An output shape without its unset members (AWS leaves them out)."""
    return {k: v for k, v in shape.items() if v is not None}


def picked(params: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The members of `params` among `names`, for the OpsWorks-only attributes a resource keeps."""
    return {name: params[name] for name in names if params.get(name) is not None}


def request(model: type[Model], **fields: Any) -> Model:
    """A Stackworks request model (wire/schemas.py) made from translated OpsWorks parameters;
    what it refuses is a ValidationException naming the field."""
    try:
        return model(**fields)
    except PydanticValidationError as error:
        raise schema_error(error) from None


def schema_error(error: PydanticValidationError) -> ValidationException:
    """A Stackworks request model's refusal, as a ValidationException naming the field."""
    problems = [
        f"{'.'.join(str(p) for p in item.get('loc', ())) or 'body'}: {item.get('msg', 'invalid')}"
        for item in error.errors()
    ]
    return ValidationException("; ".join(problems))
