"""Instance actions of the stack page: add, start, stop, reboot, delete (then back to the page).

Each calls the control function its REST route calls, and wakes the agents the same way.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from stackworks.api.deps import DatabaseDep, SettingsDep, SignalDep, stack_named
from stackworks.api.routes.instances import DEFAULT_PROVIDER, InstanceAction
from stackworks.console.access import ConsoleManageStack
from stackworks.console.forms import Form
from stackworks.console.validation import first_problem
from stackworks.control import instances as instance_control
from stackworks.control.signals import CommandSignal
from stackworks.domain.entities import Instance
from stackworks.store import instances as instance_store
from stackworks.store.db import Database
from stackworks.wire import schemas

router = APIRouter(prefix="/stacks/{stack}/instances", include_in_schema=False)


def _back(stack: str) -> Response:
    return RedirectResponse(f"/stacks/{stack}", status_code=303)


@router.post("")
def add_instance(
    stack: str,
    request: Request,
    form: Form,
    db: DatabaseDep,
    settings: SettingsDep,
    _user: ConsoleManageStack,
) -> Response:
    try:
        body = schemas.InstanceCreate(
            layers=form.all("layers"),
            hostname=form.get("hostname").strip() or None,
            scaling=form.get("scaling", "24/7") or "24/7",
        )
    except ValidationError as invalid:
        raise first_problem(invalid) from None
    provider = request.app.state.providers[DEFAULT_PROVIDER]
    with db.transaction() as session:
        instance_control.create_instance(
            session,
            stack_named(session, stack),
            body,
            provider=DEFAULT_PROVIDER,
            allocate_address=provider.allocate_address,
            data_dir=Path(settings.data_dir),
        )
    return _back(stack)


def _act(
    db: Database, signal: CommandSignal, stack: str, hostname: str, action: InstanceAction
) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        action(session, instance_store.get_by_hostname(session, found.id, hostname))
    signal.bump()
    return _back(stack)


@router.post("/{hostname}/start")
def start_instance(
    stack: str, hostname: str, db: DatabaseDep, signal: SignalDep, _user: ConsoleManageStack
) -> Response:
    return _act(db, signal, stack, hostname, instance_control.start_instance)


@router.post("/{hostname}/stop")
def stop_instance(
    stack: str, hostname: str, db: DatabaseDep, signal: SignalDep, _user: ConsoleManageStack
) -> Response:
    return _act(db, signal, stack, hostname, instance_control.stop_instance)


@router.post("/{hostname}/reboot")
def reboot_instance(
    stack: str, hostname: str, db: DatabaseDep, signal: SignalDep, _user: ConsoleManageStack
) -> Response:
    return _act(db, signal, stack, hostname, instance_control.reboot_instance)


@router.post("/{hostname}/delete")
def delete_instance(
    stack: str, hostname: str, db: DatabaseDep, signal: SignalDep, _user: ConsoleManageStack
) -> Response:
    return _act(db, signal, stack, hostname, _delete)


def _delete(session: Session, instance: Instance) -> Instance:
    instance_control.delete_instance(session, instance)
    return instance
