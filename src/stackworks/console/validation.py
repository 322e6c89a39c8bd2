"""A pydantic validation error as the console shows it: the first problem, naming its field."""

from __future__ import annotations

from pydantic import ValidationError

from stackworks.domain.errors import InvalidInput


def first_problem(error: ValidationError) -> InvalidInput:
    problems = error.errors()
    if not problems:
        return InvalidInput("the form is invalid")
    first = problems[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "form"
    return InvalidInput(f"{field}: {first.get('msg', 'invalid')}", field=field)
