"""Editing the custom JSON of a stack or of a layer, with refusals that point at the mistake.

    GET  /stacks/{stack}/custom-json                   show: the JSON (read-only below manage)
    POST /stacks/{stack}/custom-json                   manage: replace it
    GET  /stacks/{stack}/layers/{layer}/custom-json    show
    POST /stacks/{stack}/layers/{layer}/custom-json    manage

The text is parsed here (domain/json_positions.py: a syntax error's line and column) and saved
through the REST routes' control functions (`catalog.update_stack`, `catalog.update_layer`),
whose validation names a JSON path; that path is found again in the text, so the page says
which member and on which line. A refused text saves nothing and comes back in the textarea.

Secrets are shown as the API shows them, `{"$secret": "*****FILTERED*****"}`; sent back so,
they keep their stored values (control/catalog.py `_custom_json`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from stackworks.api.deps import DatabaseDep, stack_named
from stackworks.console.access import ConsoleManageStack, ConsoleShowStack
from stackworks.console.forms import Form, FormFields
from stackworks.console.levels import Can, stack_level
from stackworks.console.rendering import render
from stackworks.control import catalog
from stackworks.domain import secret_attributes
from stackworks.domain.access import Principal
from stackworks.domain.errors import InvalidInput
from stackworks.domain.json_positions import JsonTextError, load_object, pointed
from stackworks.store import layers as layer_store
from stackworks.store.db import Database
from stackworks.wire import schemas

router = APIRouter(include_in_schema=False)

FIELD = "custom_json"


def shown(custom_json: dict[str, Any]) -> str:
    """Custom JSON as the editor shows it: secrets masked, indented."""
    return json.dumps(secret_attributes.mask(custom_json), indent=2, ensure_ascii=False)


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    stack_name: str,
    layer_name: str | None,
    *,
    text: str | None = None,
    error: JsonTextError | None = None,
) -> Response:
    stack = stack_named(session, stack_name)
    layer = layer_store.get(session, stack.id, layer_name) if layer_name else None
    stored = layer.custom_json if layer else stack.custom_json
    base = f"/stacks/{stack.name}" + (f"/layers/{layer.shortname}" if layer else "")
    return render(
        request,
        "custom_json.html",
        {
            "stack": stack,
            "layer": layer,
            "can": Can(stack_level(session, principal, stack)),
            "current": f"/stacks/{stack.name}/custom-json" if layer is None else "",
            "action": f"{base}/custom-json",
            "text": shown(stored) if text is None else text,
            "error": error,
            "saved": request.query_params.get("saved") == "1",
        },
        status_code=422 if error else 200,
    )


def save_text(
    db: Database, text: str, save: Callable[[Session, dict[str, Any]], object]
) -> JsonTextError | None:
    """Parse `text` and `save(session, value)` it in one transaction (rolled back when the
    validation refuses); the refusal, pointed at its place in `text`, or None once saved."""
    try:
        value = load_object(text, field=FIELD)
        with db.transaction() as session:
            save(session, value)
    except JsonTextError as error:
        return error
    except InvalidInput as error:
        return pointed(text, error, field=FIELD)
    return None


def _saved_or_refused(
    request: Request,
    db: Database,
    user: Principal,
    names: tuple[str, str | None],
    form: FormFields,
    save: Callable[[Session, dict[str, Any]], object],
) -> Response:
    """Save the form's text for the stack or layer `names`: 303 to its page, or the page with
    the refusal and the text. A request without the field (not the editor's form) is refused:
    read as empty, it would wipe the custom JSON."""
    stack, layer = names
    if FIELD not in form.values:
        raise InvalidInput(f"form: no {FIELD} field was sent", field=FIELD)
    text = form.get(FIELD)
    error = save_text(db, text, save)
    if error is not None:
        with db.transaction() as session:
            return _page(request, session, user, stack, layer, text=text, error=error)
    path = f"/stacks/{stack}" + (f"/layers/{layer}" if layer else "")
    return RedirectResponse(f"{path}/custom-json?saved=1", status_code=303)


@router.get("/stacks/{stack}/custom-json")
def stack_json_page(
    request: Request, stack: str, db: DatabaseDep, user: ConsoleShowStack
) -> Response:
    with db.transaction() as session:
        return _page(request, session, user, stack, None)


@router.post("/stacks/{stack}/custom-json")
def save_stack_json(
    request: Request, stack: str, form: Form, db: DatabaseDep, user: ConsoleManageStack
) -> Response:
    def save(session: Session, value: dict[str, Any]) -> object:
        found = stack_named(session, stack)
        return catalog.update_stack(session, found, schemas.StackUpdate(custom_json=value))

    return _saved_or_refused(request, db, user, (stack, None), form, save)


@router.get("/stacks/{stack}/layers/{layer}/custom-json")
def layer_json_page(
    request: Request, stack: str, layer: str, db: DatabaseDep, user: ConsoleShowStack
) -> Response:
    with db.transaction() as session:
        return _page(request, session, user, stack, layer)


@router.post("/stacks/{stack}/layers/{layer}/custom-json")
def save_layer_json(
    request: Request, stack: str, layer: str, form: Form, db: DatabaseDep, user: ConsoleManageStack
) -> Response:
    def save(session: Session, value: dict[str, Any]) -> object:
        found = layer_store.get(session, stack_named(session, stack).id, layer)
        return catalog.update_layer(session, found, schemas.LayerUpdate(custom_json=value))

    return _saved_or_refused(request, db, user, (stack, layer), form, save)
