"""The stack list (with each stack's health summary), and creating, cloning, deleting stacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from stackworks.api.deps import DatabaseDep, SettingsDep, stack_named
from stackworks.api.routes.instances import DEFAULT_PROVIDER
from stackworks.console.access import ConsoleManageStack, ConsoleServerAdmin, ConsoleUser
from stackworks.console.forms import Form, FormFields, parse_custom_json
from stackworks.console.health import by_health
from stackworks.console.levels import Can
from stackworks.console.rendering import render
from stackworks.console.validation import first_problem
from stackworks.control import catalog, documents
from stackworks.control import permissions as permission_control
from stackworks.domain.access import Principal
from stackworks.domain.errors import InvalidInput
from stackworks.domain.hostnames import LAYER_DEPENDENT, THEMES
from stackworks.store import permissions as permission_store
from stackworks.store import stack_summaries
from stackworks.store import stacks as stack_store
from stackworks.wire import schemas

router = APIRouter(include_in_schema=False)

HOSTNAME_THEMES = (LAYER_DEPENDENT, *THEMES)


def _list_page(
    request: Request,
    db: DatabaseDep,
    user: Principal,
    *,
    form: FormFields | None = None,
    error: InvalidInput | None = None,
) -> Response:
    with db.transaction() as session:
        stacks = permission_control.visible_stacks(session, user, stack_store.list_all(session))
        found = stack_summaries.summaries(session)
        explicit = {} if user.is_admin else permission_store.levels_for_user(session, user.user_id)
    rows = []
    for stack in stacks:
        summary = found.get(stack.id, stack_summaries.StackSummary())
        can = Can(user.level_on(explicit.get(stack.id)))
        rows.append(
            {
                "stack": stack,
                "summary": summary,
                "grouped": by_health(summary.instances),
                "can": can,
            }
        )
    context: dict[str, Any] = {
        "rows": rows,
        "themes": HOSTNAME_THEMES,
        "form": form or FormFields({}),
        "error": error.message if error else "",
        "error_field": error.field if error else None,
    }
    return render(request, "stacks.html", context, status_code=422 if error else 200)


@router.get("/")
def stack_list(request: Request, db: DatabaseDep, user: ConsoleUser) -> Response:
    """The stacks the user may see, each with layers, apps and instances by health."""
    return _list_page(request, db, user)


@router.post("/stacks")
def create_stack(
    request: Request, form: Form, db: DatabaseDep, admin: ConsoleServerAdmin
) -> Response:
    try:
        body = schemas.StackCreate(
            name=form.get("name").strip(),
            hostname_theme=form.get("hostname_theme", LAYER_DEPENDENT),
            custom_json=parse_custom_json(form.get("custom_json")),
        )
        with db.transaction() as session:
            stack = catalog.create_stack(session, body)
    except ValidationError as invalid:
        return _list_page(request, db, admin, form=form, error=first_problem(invalid))
    except InvalidInput as invalid:
        return _list_page(request, db, admin, form=form, error=invalid)
    return RedirectResponse(f"/stacks/{stack.name}", status_code=303)


@router.get("/stacks/{stack}/clone")
def clone_form(
    stack: str, request: Request, db: DatabaseDep, _admin: ConsoleServerAdmin
) -> Response:
    with db.transaction() as session:
        source = stack_named(session, stack)
    return render(
        request, "clone.html", {"source": source, "name": f"{source.name}-copy", "error": ""}
    )


@router.post("/stacks/{stack}/clone")
def clone_stack(
    stack: str,
    request: Request,
    form: Form,
    db: DatabaseDep,
    settings: SettingsDep,
    _admin: ConsoleServerAdmin,
) -> Response:
    """A copy of the stack under a new name, as `stackworks stack clone` makes one: its
    document (secure values left unset) applied under the new name."""
    name = form.get("name").strip()
    provider = request.app.state.providers[DEFAULT_PROVIDER]
    try:
        with db.transaction() as session:
            source = stack_named(session, stack)
            if stack_store.find_by_name(session, name) is not None:
                raise InvalidInput(f"name: a stack named {name!r} exists already", field="name")
            document = documents.export_document(session, source, with_secrets=False)
            documents.apply_document(
                session,
                document.model_copy(update={"name": name}),
                provider=DEFAULT_PROVIDER,
                allocate_address=provider.allocate_address,
                data_dir=Path(settings.data_dir),
            )
    except (InvalidInput, ValidationError) as invalid:
        problem = first_problem(invalid) if isinstance(invalid, ValidationError) else invalid
        context = {"source": source, "name": name, "error": problem.message}
        return render(request, "clone.html", context, status_code=422)
    return RedirectResponse(f"/stacks/{name}", status_code=303)


@router.get("/stacks/{stack}/delete")
def delete_confirmation(
    stack: str, request: Request, db: DatabaseDep, _user: ConsoleManageStack
) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
    return render(request, "delete_stack.html", {"stack": found, "error": ""})


@router.post("/stacks/{stack}/delete")
def delete_stack(
    stack: str, request: Request, form: Form, db: DatabaseDep, _user: ConsoleManageStack
) -> Response:
    """Delete the stack once its name is typed again (the confirmation)."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        if form.get("confirm").strip() != found.name:
            context = {"stack": found, "error": f"Type {found.name} to confirm the deletion."}
            return render(request, "delete_stack.html", context, status_code=422)
        catalog.delete_stack(session, found)
    return RedirectResponse("/", status_code=303)
