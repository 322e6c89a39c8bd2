"""Reading the console's HTML forms (urlencoded, never multipart: the console uploads no files).

The form is read once per request from the body Starlette keeps (`request.body()` is cached),
so the CSRF check of the route declaration and the route itself read the same fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import Depends, Request

from stackworks.domain.errors import InvalidInput

#: fields one form may send at most (a form of the console has a few dozen)
MAX_FIELDS = 2000


@dataclass(frozen=True)
class FormFields:
    """A submitted form: each field's values, in the order sent."""

    values: dict[str, list[str]]

    def get(self, name: str, default: str = "") -> str:
        found = self.values.get(name)
        return found[0] if found else default

    def all(self, name: str) -> list[str]:
        return [v for v in self.values.get(name, []) if v]


async def read_form(request: Request) -> FormFields:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return FormFields({})
    body = await request.body()
    try:
        text = body.decode("utf-8")
        values = parse_qs(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidInput(f"form: cannot read the form ({exc})", field="form") from None
    return FormFields(values)


Form = Annotated[FormFields, Depends(read_form)]


@dataclass
class Refusal:
    """A form the control plane refused: which one, why, and what the user had sent (a page
    draws that form again with these fields and the message next to it)."""

    form: str  # which form of the page, e.g. "settings", "add-layer", "schedule:<hostname>"
    message: str = ""
    sent: FormFields = field(default_factory=lambda: FormFields({}))
    input_name: str = ""  # the form field refused, when the refusal names one


def parse_custom_json(text: str, field: str = "custom_json") -> dict[str, Any]:
    """A custom JSON text as an object; an error names the field, line and column."""
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{field}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            field=field,
        ) from None
    if not isinstance(value, dict):
        raise InvalidInput(
            f"{field}: expected a JSON object {{...}} at line 1, column 1", field=field
        )
    return value
