"""One stack's page: layers with their instances (live), apps, recent deployments and events."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stackworks.api.deps import DatabaseDep, stack_named
from stackworks.console import live, stack_view
from stackworks.console.access import ConsoleShowStack
from stackworks.console.levels import Can, stack_level
from stackworks.console.rendering import render
from stackworks.console.stack_live import StackFeed, page_version
from stackworks.domain.status import ScalingType

router = APIRouter(include_in_schema=False)


@router.get("/stacks/{stack}")
def stack_page(stack: str, request: Request, db: DatabaseDep, user: ConsoleShowStack) -> Response:
    with db.transaction() as session:
        view = stack_view.load(session, user, stack_named(session, stack))
    context = {
        "view": view,
        "can": view.can,
        "stack": view.stack.name,
        "current": f"/stacks/{view.stack.name}",
        "live_version": page_version(view.instances()),
        "scalings": list(ScalingType),
    }
    return render(request, "stack.html", context)


@router.get("/stacks/{stack}/live")
def stack_live(
    stack: str, request: Request, db: DatabaseDep, user: ConsoleShowStack, v: str = ""
) -> Response:
    """Server-sent events: instance rows and the summary as they change (console/live.py)."""
    with db.transaction() as session:
        can = Can(stack_level(session, user, stack_named(session, stack)))
    return live.stream(request, StackFeed(request, db, user, stack, v, can))
