"""One stack's page: layers with their instances (live), apps, recent deployments and events,
and (at manage) the forms that add layers, apps and instances (console/routes/catalog.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from stackworks.api.deps import DatabaseDep, stack_named
from stackworks.console import catalog_forms, live, stack_view
from stackworks.console.access import ConsoleShowStack
from stackworks.console.forms import FormFields, Refusal
from stackworks.console.levels import Can, stack_level
from stackworks.console.rendering import render
from stackworks.console.stack_live import StackFeed, page_version
from stackworks.domain.access import Principal
from stackworks.domain.status import ScalingType

router = APIRouter(include_in_schema=False)

#: what a change says on the page it returns to (`?done=<key>`)
DONE = {
    "layer-added": "Layer added.",
    "layer-deleted": "Layer deleted.",
    "app-added": "App added.",
    "app-deleted": "App deleted.",
}


def page(
    request: Request,
    session: Session,
    user: Principal,
    stack: str,
    *,
    refusal: Refusal | None = None,
    status_code: int = 200,
) -> Response:
    """The stack page; with `refusal`, the refused form drawn again with what was sent (a
    secure environment value left out) and the message naming the field."""
    view = stack_view.load(session, user, stack_named(session, stack))
    sent = {"add-layer": FormFields({}), "add-app": FormFields({})}
    if refusal is not None and refusal.form in sent:
        sent[refusal.form] = catalog_forms.without_secure_values(refusal.sent)
    context = {
        "view": view,
        "can": view.can,
        "stack": view.stack.name,
        "current": f"/stacks/{view.stack.name}",
        "live_version": page_version(view.instances()),
        "scalings": list(ScalingType),
        "layer_types": catalog_forms.LAYER_TYPES,
        "source_types": catalog_forms.SOURCE_TYPES,
        "env_rows": range(catalog_forms.ENVIRONMENT_ROWS),
        "layer_form": sent["add-layer"],
        "app_form": sent["add-app"],
        "refusal": refusal,
        "done": DONE.get(request.query_params.get("done", ""), ""),
    }
    return render(request, "stack.html", context, status_code=status_code)


@router.get("/stacks/{stack}")
def stack_page(stack: str, request: Request, db: DatabaseDep, user: ConsoleShowStack) -> Response:
    with db.transaction() as session:
        return page(request, session, user, stack)


@router.get("/stacks/{stack}/live")
def stack_live(
    stack: str, request: Request, db: DatabaseDep, user: ConsoleShowStack, v: str = ""
) -> Response:
    """Server-sent events: instance rows and the summary as they change (console/live.py)."""
    with db.transaction() as session:
        can = Can(stack_level(session, user, stack_named(session, stack)))
    return live.stream(request, StackFeed(request, db, user, stack, v, can))
