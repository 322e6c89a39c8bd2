"""Operations views: a stack's events and audit log, its load balancers' HAProxy statistics
pages, each instance's commands with their logs, and the configuration a command received.

    GET /stacks/{stack}/events                          show (filtered by kind, paged)
    GET /stacks/{stack}/audit                           show, as GET /api/v1/stacks/{stack}/audit
    GET /audit                                          server admin (every stack's records)
    GET /stacks/{stack}/operations                      show: HAProxy statistics, instances
    GET /stacks/{stack}/instances/{hostname}/commands   show: the instance's commands
    GET .../instances/{hostname}/commands/{command_id}  show: one command and its log
    GET .../commands/{command_id}/live                  show: its status and log, live
    GET .../commands/{command_id}/configuration         show: the configuration it received

The levels are the REST routes' own (the events, audit and commands routes are show, the
server-wide audit admin). A command's configuration is shown as `GET .../commands/{id}
?configuration=true` shows it: stored with its secrets apart, and masked again on the way out.
Pages list the newest entries first, `PAGE` at a time; "older" pages go on from the last shown.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from stackworks.api.deps import DatabaseDep, stack_named
from stackworks.console import command_live, live
from stackworks.console.access import ConsoleServerAdmin, ConsoleShowStack
from stackworks.console.haproxy_stats import stats_links
from stackworks.console.levels import Can, stack_level
from stackworks.console.rendering import render
from stackworks.domain.access import Principal
from stackworks.domain.audit import AuditRecord
from stackworks.domain.entities import Command, Instance, Stack, StackEvent
from stackworks.domain.errors import NotFound
from stackworks.domain.stack_config import mask_configuration
from stackworks.domain.status import EventKind
from stackworks.store import audit as audit_store
from stackworks.store import commands as command_store
from stackworks.store import events as event_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store

router = APIRouter(include_in_schema=False)

PAGE = 50  # entries a page of events, audit records or commands
Before = Annotated[int, Query(ge=0, description="only entries older than this seq")]
Kinds = Annotated[list[EventKind] | None, Query(description="only these kinds")]
UserName = Annotated[str, Query(max_length=200, description="only this user's records")]


def pages(
    shown: Sequence[AuditRecord | StackEvent],
    *,
    more: bool,
    before: int,
    filters: list[tuple[str, str]],
) -> dict[str, str | None]:
    """The links to the page of older entries (when there are more) and back to the newest."""
    older = None
    if more and shown:
        older = "?" + urlencode([("before", str(shown[-1].seq)), *filters])
    newest = "?" + urlencode(filters) if before else None
    return {"older": older, "newest": newest}


def _stack_context(
    session: Session, principal: Principal, stack: Stack, current: str
) -> dict[str, Any]:
    return {
        "stack": stack,
        "can": Can(stack_level(session, principal, stack)),
        "current": current,
    }


@router.get("/stacks/{stack}/events")
def events_page(
    request: Request,
    stack: str,
    db: DatabaseDep,
    user: ConsoleShowStack,
    kind: Kinds = None,
    before: Before = 0,
) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        events = event_store.list_for_stack(
            session, found.id, before=before, kinds=kind, limit=PAGE + 1
        )
        context = _stack_context(session, user, found, f"/stacks/{found.name}/events")
    shown = list(reversed(events[-PAGE:]))
    filters = [("kind", k.value) for k in kind or ()]
    return render(
        request,
        "events.html",
        {
            **context,
            "events": shown,
            "kinds": list(EventKind),
            "chosen": set(kind or ()),
            **pages(shown, more=len(events) > PAGE, before=before, filters=filters),
        },
    )


def _audit_page(
    request: Request,
    session: Session,
    *,
    stack: str | None,
    user_name: str,
    before: int,
    context: dict[str, Any],
) -> Response:
    records = audit_store.list_records(
        session, stack=stack, before=before, principal=user_name or None, limit=PAGE + 1
    )
    shown = list(reversed(records[-PAGE:]))
    filters = [("user", user_name)] if user_name else []
    return render(
        request,
        "audit.html",
        {
            **context,
            "records": shown,
            "user_name": user_name,
            "server_wide": stack is None,
            **pages(shown, more=len(records) > PAGE, before=before, filters=filters),
            "changes": lambda record: json.dumps(record.changes, indent=2, ensure_ascii=False),
        },
    )


@router.get("/stacks/{stack}/audit")
def stack_audit_page(
    request: Request,
    stack: str,
    db: DatabaseDep,
    user: ConsoleShowStack,
    before: Before = 0,
    user_name: Annotated[UserName, Query(alias="user")] = "",
) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        context = _stack_context(session, user, found, f"/stacks/{found.name}/audit")
        return _audit_page(
            request, session, stack=found.name, user_name=user_name, before=before, context=context
        )


@router.get("/audit")
def server_audit_page(
    request: Request,
    db: DatabaseDep,
    _admin: ConsoleServerAdmin,
    before: Before = 0,
    user_name: Annotated[UserName, Query(alias="user")] = "",
) -> Response:
    with db.transaction() as session:
        return _audit_page(
            request, session, stack=None, user_name=user_name, before=before, context={}
        )


@router.get("/stacks/{stack}/operations")
def operations_page(
    request: Request, stack: str, db: DatabaseDep, user: ConsoleShowStack
) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        layers = layer_store.list_for_stack(session, found.id)
        instances = instance_store.list_for_stack(session, found.id)
        context = _stack_context(session, user, found, f"/stacks/{found.name}/operations")
    return render(
        request,
        "operations.html",
        {**context, "instances": instances, "stats": stats_links(found, layers, instances)},
    )


def _instance(session: Session, stack: str, hostname: str) -> tuple[Stack, Instance]:
    found = stack_named(session, stack)
    return found, instance_store.get_by_hostname(session, found.id, hostname)


@router.get("/stacks/{stack}/instances/{hostname}/commands")
def instance_commands_page(
    request: Request, stack: str, hostname: str, db: DatabaseDep, user: ConsoleShowStack
) -> Response:
    with db.transaction() as session:
        found, instance = _instance(session, stack, hostname)
        commands = command_store.list_for_stack(session, found.id, instance_id=instance.id)
        context = _stack_context(session, user, found, f"/stacks/{found.name}/operations")
    return render(
        request,
        "instance_commands.html",
        {
            **context,
            "instance": instance,
            "commands": list(reversed(commands))[:PAGE],
            "total": len(commands),
        },
    )


def _command(session: Session, instance: Instance, command_id: str) -> Command:
    """The instance's command, else NotFound (a command of another instance or stack too)."""
    try:
        row = command_store.row(session, command_id)
    except NotFound:
        row = None
    if row is None or row.instance_id != instance.id:
        raise NotFound("command", command_id)
    return command_store.to_entity(row)


def _command_view(
    db: DatabaseDep, user: Principal, stack: str, hostname: str, command_id: str
) -> dict[str, Any]:
    with db.transaction() as session:
        found, instance = _instance(session, stack, hostname)
        command = _command(session, instance, command_id)
        context = _stack_context(session, user, found, f"/stacks/{found.name}/operations")
    return {**context, "instance": instance, "command": command}


@router.get("/stacks/{stack}/instances/{hostname}/commands/{command_id}")
def command_page(
    request: Request,
    stack: str,
    hostname: str,
    command_id: str,
    db: DatabaseDep,
    user: ConsoleShowStack,
) -> Response:
    view = _command_view(db, user, stack, hostname, command_id)
    version = command_live.page_version(view["command"])
    return render(request, "command.html", {**view, "live_version": version})


@router.get("/stacks/{stack}/instances/{hostname}/commands/{command_id}/live")
def command_live_feed(
    request: Request,
    stack: str,
    hostname: str,
    command_id: str,
    db: DatabaseDep,
    _user: ConsoleShowStack,
    v: str = "",
) -> Response:
    """Server-sent events: the command's status and new log text (console/live.py)."""
    with db.transaction() as session:
        _found, instance = _instance(session, stack, hostname)
        _command(session, instance, command_id)  # 404 for another instance's
    return live.stream(request, command_live.CommandFeed(request, db, command_id, v))


@router.get("/stacks/{stack}/instances/{hostname}/commands/{command_id}/configuration")
def command_configuration_page(
    request: Request,
    stack: str,
    hostname: str,
    command_id: str,
    db: DatabaseDep,
    user: ConsoleShowStack,
) -> Response:
    view = _command_view(db, user, stack, hostname, command_id)
    masked = mask_configuration(view["command"].configuration)
    configuration = json.dumps(masked, indent=2, ensure_ascii=False)
    return render(request, "command_configuration.html", {**view, "configuration": configuration})
