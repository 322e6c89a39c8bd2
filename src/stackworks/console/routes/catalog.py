"""The stack page's layer and app forms: add a layer, add an app, delete either.

    POST /stacks/{stack}/layers                 manage: "Add layer" (LayerCreate)
    POST /stacks/{stack}/layers/{layer}/delete  manage: refused (409) while it has instances
    POST /stacks/{stack}/apps                   manage: "Add app" (AppCreate)
    POST /stacks/{stack}/apps/{app}/delete      manage

Each form is read into the REST route's own body (console/catalog_forms.py) and saved through
the same control function, in one transaction: a refused form saves nothing, and the stack page
comes back (422, or 409 for a conflict) with the message naming the field and the user's input
kept, secure environment values excepted. A change answers 303 to the stack page.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from stackworks.api.deps import DatabaseDep, stack_named
from stackworks.console import catalog_forms
from stackworks.console.access import ConsoleManageStack
from stackworks.console.forms import Form, Refusal
from stackworks.console.routes.stack_page import page
from stackworks.control import catalog
from stackworks.domain.access import Principal
from stackworks.domain.entities import Stack
from stackworks.domain.errors import Conflict, InvalidInput
from stackworks.store import apps as app_store
from stackworks.store import layers as layer_store
from stackworks.store.db import Database

router = APIRouter(prefix="/stacks/{stack}", include_in_schema=False)

#: refusals shown on the stack page, with the status it answers
REFUSED = {InvalidInput: 422, Conflict: 409}


def _change(
    request: Request,
    db: Database,
    user: Principal,
    stack: str,
    refusal: Refusal,
    change: Callable[[Session, Stack], object],
    done: str,
) -> Response:
    """`change` the stack in one transaction; then the page, with what was done or refused."""
    try:
        with db.transaction() as session:
            change(session, stack_named(session, stack))
    except (InvalidInput, Conflict) as error:
        problem = catalog_forms.form_problem(error) if isinstance(error, InvalidInput) else error
        refusal.message = problem.message
        refusal.input_name = problem.field or ""
        with db.transaction() as session:
            return page(
                request, session, user, stack, refusal=refusal, status_code=REFUSED[type(error)]
            )
    return RedirectResponse(f"/stacks/{stack}?done={done}", status_code=303)


@router.post("/layers")
def add_layer(
    stack: str, request: Request, form: Form, db: DatabaseDep, user: ConsoleManageStack
) -> Response:
    def create(session: Session, found: Stack) -> object:
        return catalog.create_layer(session, found, catalog_forms.layer_create(form))

    return _change(request, db, user, stack, Refusal("add-layer", sent=form), create, "layer-added")


@router.post("/layers/{layer}/delete")
def delete_layer(
    stack: str, layer: str, request: Request, db: DatabaseDep, user: ConsoleManageStack
) -> Response:
    def delete(session: Session, found: Stack) -> object:
        catalog.delete_layer(session, layer_store.get(session, found.id, layer))
        return None

    refusal = Refusal(f"delete-layer:{layer}")
    return _change(request, db, user, stack, refusal, delete, "layer-deleted")


@router.post("/apps")
def add_app(
    stack: str, request: Request, form: Form, db: DatabaseDep, user: ConsoleManageStack
) -> Response:
    def create(session: Session, found: Stack) -> object:
        try:
            return catalog.create_app(session, found, catalog_forms.app_create(form))
        except InvalidInput as error:  # the control plane names the body's environment row
            raise catalog_forms.form_problem(error, form) from None

    return _change(request, db, user, stack, Refusal("add-app", sent=form), create, "app-added")


@router.post("/apps/{app}/delete")
def delete_app(
    stack: str, app: str, request: Request, db: DatabaseDep, user: ConsoleManageStack
) -> Response:
    """As `DELETE /api/v1/stacks/{stack}/apps/{app}` deletes it."""

    def delete(session: Session, found: Stack) -> object:
        app_store.delete(session, app_store.get(session, found.id, app).id)
        return None

    refusal = Refusal(f"delete-app:{app}")
    return _change(request, db, user, stack, refusal, delete, "app-deleted")
