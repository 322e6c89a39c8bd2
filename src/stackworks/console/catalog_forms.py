"""The stack page's "Add layer" and "Add app" forms read into the API's own request models.

`layer_create` and `app_create` turn the submitted fields (console/forms.py `FormFields`) into
`LayerCreate` and `AppCreate`, the bodies `POST /api/v1/stacks/{stack}/layers` and `.../apps`
take, so the console creates through the same control functions (`catalog.create_layer`,
`catalog.create_app`) and their validation. A pydantic refusal becomes InvalidInput naming the
form field (console/validation.py), with the API's location mapped onto the form's names.

Field names (stack.html uses these):

- layer: `shortname`, `name` (optional), `type` (a LayerType), `packages` (one a line)
- app: `shortname`, `name` (optional), `source_type` (git or archive), `source_url`,
  `revision`, `layers` (checkboxes, optional), and for each environment row i of
  `ENVIRONMENT_ROWS`: `env.<i>.key`, `env.<i>.value`, `env.<i>.secure` (a checkbox)
"""

from __future__ import annotations

from pydantic import ValidationError

from stackworks.console.forms import FormFields
from stackworks.console.layer_forms import split_list
from stackworks.console.validation import first_problem
from stackworks.domain.errors import InvalidInput
from stackworks.domain.status import LayerType, SourceType
from stackworks.wire import schemas

#: environment rows the "Add app" form shows (more can be set later with the API or the CLI)
ENVIRONMENT_ROWS = 4
LAYER_TYPES = tuple(kind.value for kind in LayerType)
SOURCE_TYPES = tuple(kind.value for kind in SourceType)

#: the API body's location of a problem -> the form field that holds it
_FORM_NAMES = {
    "source.url": "source_url",
    "source.revision": "revision",
    "source.type": "source_type",
}


def env_field(row: int, part: str) -> str:
    """The name of one part (key, value, secure) of an environment row's field."""
    return f"env.{row}.{part}"


def _environment_row(api_field: str, message: str, form: FormFields) -> int | None:
    """The form row an environment problem is about: `environment.<i>...` (the request model:
    the i-th row sent), `environment.<KEY>` or `environment` with the key quoted in the message
    (the control plane: the last row of that key, the one given twice)."""
    rows = environment_rows(form)
    keys = {form.get(env_field(row, "key")).strip(): row for row in rows}
    index = api_field.removeprefix("environment.").partition(".")[0]
    if api_field != "environment" and index.isdigit():
        return rows[int(index)] if int(index) < len(rows) else None
    if api_field != "environment":
        return keys.get(index)
    quoted = [row for key, row in keys.items() if repr(key) in message]
    return quoted[-1] if quoted else None


def form_problem(problem: InvalidInput, form: FormFields | None = None) -> InvalidInput:
    """`problem` (from the request model or the control plane, naming the API body's field)
    naming the form's field instead; `form`, the app form sent, finds an environment row."""
    if problem.field is None:
        return problem
    message = problem.message.removeprefix(f"{problem.field}: ")
    name = _FORM_NAMES.get(problem.field, problem.field)
    if form is not None and (problem.field + ".").startswith("environment."):
        row = _environment_row(problem.field, message, form)
        name = env_field(row, "key") if row is not None else name
    return InvalidInput(f"{name}: {message}", field=name)


def _refused(invalid: ValidationError, form: FormFields | None = None) -> InvalidInput:
    return form_problem(first_problem(invalid), form)


def layer_create(form: FormFields) -> schemas.LayerCreate:
    """The "Add layer" form as the body of the create-layer route."""
    try:
        return schemas.LayerCreate.model_validate(
            {
                "shortname": form.get("shortname").strip(),
                "name": form.get("name").strip() or None,
                "type": form.get("type", LayerType.CUSTOM.value),
                "packages": split_list(form.get("packages")),
            }
        )
    except ValidationError as invalid:
        raise _refused(invalid) from None


def environment_rows(form: FormFields) -> list[int]:
    """The environment rows the user filled in (a key or a value), in order."""
    return [
        row
        for row in range(ENVIRONMENT_ROWS)
        if form.get(env_field(row, "key")).strip() or form.get(env_field(row, "value"))
    ]


def _environment(form: FormFields) -> list[dict[str, object]]:
    """The rows with a key; a value without a key is refused naming the row."""
    found: list[dict[str, object]] = []
    for row in range(ENVIRONMENT_ROWS):
        key = form.get(env_field(row, "key")).strip()
        value = form.get(env_field(row, "value"))
        secure = bool(form.get(env_field(row, "secure")))
        if not key:
            if value:
                name = env_field(row, "key")
                raise InvalidInput(f"{name}: a value needs a variable name", field=name)
            continue
        found.append({"key": key, "value": value, "secure": secure})
    return found


def app_create(form: FormFields) -> schemas.AppCreate:
    """The "Add app" form as the body of the create-app route."""
    environment = _environment(form)
    try:
        return schemas.AppCreate.model_validate(
            {
                "shortname": form.get("shortname").strip(),
                "name": form.get("name").strip() or None,
                "source": {
                    "type": form.get("source_type", SourceType.GIT.value),
                    "url": form.get("source_url").strip(),
                    "revision": form.get("revision").strip() or "HEAD",
                },
                "environment": environment,
                "layers": form.all("layers"),
            }
        )
    except ValidationError as invalid:
        raise _refused(invalid, form) from None


def without_secure_values(form: FormFields) -> FormFields:
    """The form as a refused page may show it again: a secure row's value is dropped (the user
    types it again), so a secret never comes back in a page."""
    values = dict(form.values)
    for row in range(ENVIRONMENT_ROWS):
        if form.get(env_field(row, "secure")):
            values.pop(env_field(row, "value"), None)
    values.pop("csrf_token", None)
    return FormFields(values)
