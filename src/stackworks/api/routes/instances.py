"""/stacks/{stack}/instances: create, start, stop, delete, show."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response

from stackworks.api.deps import Admin, DatabaseDep, SettingsDep, SignalDep, User, stack_named
from stackworks.control import instances as instance_control
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
    _admin: Admin,
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
def list_instances(stack: str, db: DatabaseDep, _user: User) -> list[schemas.InstanceOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return [
            presenters.instance_out(found, i)
            for i in instance_store.list_for_stack(session, found.id)
        ]


@router.get("/{hostname}")
def show_instance(stack: str, hostname: str, db: DatabaseDep, _user: User) -> schemas.InstanceOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return presenters.instance_out(
            found, instance_store.get_by_hostname(session, found.id, hostname)
        )


@router.post("/{hostname}/start")
def start_instance(
    stack: str,
    hostname: str,
    db: DatabaseDep,
    settings: SettingsDep,
    signal: SignalDep,
    _admin: Admin,
) -> schemas.InstanceOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        started = instance_control.start_instance(session, instance)
        out = presenters.instance_out(found, started)
    signal.bump()
    return out


@router.post("/{hostname}/stop")
def stop_instance(
    stack: str, hostname: str, db: DatabaseDep, signal: SignalDep, _admin: Admin
) -> schemas.InstanceOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        out = presenters.instance_out(found, instance_control.stop_instance(session, instance))
    signal.bump()
    return out


@router.post("/{hostname}/reboot")
def reboot_instance(
    stack: str, hostname: str, db: DatabaseDep, signal: SignalDep, _admin: Admin
) -> schemas.InstanceOut:
    """End the instance's processes and start them again; it goes through setup to online."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        out = presenters.instance_out(found, instance_control.reboot_instance(session, instance))
    signal.bump()
    return out


@router.delete("/{hostname}", status_code=202)
def delete_instance(stack: str, hostname: str, db: DatabaseDep, _admin: Admin) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        instance_control.delete_instance(session, instance)
    return Response(status_code=202)
