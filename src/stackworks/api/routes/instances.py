"""/stacks/{stack}/instances: create, start, stop, reboot, delete, show."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from stackworks.api.access import ManageStack, ShowStack
from stackworks.api.deps import DatabaseDep, SettingsDep, SignalDep, stack_named
from stackworks.control import instances as instance_control
from stackworks.domain.entities import Instance
from stackworks.store import instances as instance_store
from stackworks.wire import presenters, schemas

router = APIRouter(prefix="/stacks/{stack}/instances", tags=["instances"])

DEFAULT_PROVIDER = "local"


@router.post("", status_code=201)
def create_instance(
    stack: str,
    body: schemas.InstanceCreate,
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    _admin: ManageStack,
) -> schemas.InstanceOut:
    provider = request.app.state.providers[DEFAULT_PROVIDER]
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_control.create_instance(
            session,
            found,
            body,
            provider=DEFAULT_PROVIDER,
            allocate_address=provider.allocate_address,
            data_dir=Path(settings.data_dir),
        )
        return presenters.instance_out(found, instance)


@router.get("")
def list_instances(stack: str, db: DatabaseDep, _user: ShowStack) -> list[schemas.InstanceOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return [
            presenters.instance_out(found, i)
            for i in instance_store.list_for_stack(session, found.id)
        ]


@router.get("/{hostname}")
def show_instance(
    stack: str, hostname: str, db: DatabaseDep, _user: ShowStack
) -> schemas.InstanceOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return presenters.instance_out(
            found, instance_store.get_by_hostname(session, found.id, hostname)
        )


#: what a lifecycle request does to an instance (it returns the instance as it is now)
InstanceAction = Callable[[Session, Instance], Instance]


def _act(
    db: DatabaseDep, signal: SignalDep, stack: str, hostname: str, action: InstanceAction
) -> schemas.InstanceOut:
    """Apply a lifecycle request and wake the agents, whose next commands it may have queued."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        out = presenters.instance_out(found, action(session, instance))
    signal.bump()
    return out


@router.post("/{hostname}/start")
def start_instance(
    stack: str, hostname: str, db: DatabaseDep, signal: SignalDep, _admin: ManageStack
) -> schemas.InstanceOut:
    return _act(db, signal, stack, hostname, instance_control.start_instance)


@router.post("/{hostname}/stop")
def stop_instance(
    stack: str, hostname: str, db: DatabaseDep, signal: SignalDep, _admin: ManageStack
) -> schemas.InstanceOut:
    return _act(db, signal, stack, hostname, instance_control.stop_instance)


@router.post("/{hostname}/reboot")
def reboot_instance(
    stack: str, hostname: str, db: DatabaseDep, signal: SignalDep, _admin: ManageStack
) -> schemas.InstanceOut:
    """End the instance's processes and start them again; it goes through setup to online."""
    return _act(db, signal, stack, hostname, instance_control.reboot_instance)


@router.delete("/{hostname}", status_code=202, response_class=Response)
def delete_instance(stack: str, hostname: str, db: DatabaseDep, _admin: ManageStack) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        instance_control.delete_instance(session, instance)
    return Response(status_code=202)
