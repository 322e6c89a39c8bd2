"""/stacks/{stack}/instances: create, start, stop, reboot, delete, show."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from stackworks.api.access import ManageStack, ShowStack
from stackworks.api.deps import DatabaseDep, SettingsDep, SignalDep, stack_named
from stackworks.api.ssh_keys import check_private_key
from stackworks.control import instances as instance_control
from stackworks.control import ssh_hosts as ssh_control
from stackworks.domain.entities import Instance, Stack
from stackworks.domain.errors import InvalidInput
from stackworks.store import instances as instance_store
from stackworks.store import ssh_hosts as ssh_store
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
    if body.ssh_key is not None:
        check_private_key(body.ssh_key)
    with db.transaction() as session:
        found = stack_named(session, stack)
        default_key = ssh_store.default_key_for(session, found.id, body.layers)
        body = ssh_control.with_layer_default(body, default_key)
        ssh_control.check_request(body)
        if body.provider not in request.app.state.providers:
            raise InvalidInput(
                f"provider: {body.provider!r} is not available on this server", field="provider"
            )
        if body.provider == ssh_control.SSH_PROVIDER:
            instance = ssh_control.create_ssh_instance(
                session, found, body, Path(settings.data_dir)
            )
        else:
            provider = request.app.state.providers[DEFAULT_PROVIDER]
            instance = instance_control.create_instance(
                session,
                found,
                body,
                provider=DEFAULT_PROVIDER,
                allocate_address=provider.allocate_address,
                data_dir=Path(settings.data_dir),
            )
        return _out(session, found, instance)


def _out(session: Session, stack: Stack, instance: Instance) -> schemas.InstanceOut:
    return presenters.instance_out(stack, instance, ssh_store.target_of(session, instance.id))


@router.get("")
def list_instances(stack: str, db: DatabaseDep, _user: ShowStack) -> list[schemas.InstanceOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        listed = instance_store.list_for_stack(session, found.id)
        ssh = ssh_store.targets(session, [i.id for i in listed])
        return [presenters.instance_out(found, i, ssh.get(i.id)) for i in listed]


@router.get("/{hostname}")
def show_instance(
    stack: str, hostname: str, db: DatabaseDep, _user: ShowStack
) -> schemas.InstanceOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return _out(session, found, instance_store.get_by_hostname(session, found.id, hostname))


@router.post("/{hostname}/ssh-host-key")
def accept_host_key(
    stack: str, hostname: str, body: schemas.HostKeyAccept, db: DatabaseDep, _admin: ManageStack
) -> schemas.InstanceOut:
    """Accept a new host key for an ssh instance whose host changed its key (reinstalled)."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        ssh_control.accept_host_key(session, instance, body.fingerprint)
        return _out(session, found, instance)


#: what a lifecycle request does to an instance (it returns the instance as it is now)
InstanceAction = Callable[[Session, Instance], Instance]


def _act(
    db: DatabaseDep, signal: SignalDep, stack: str, hostname: str, action: InstanceAction
) -> schemas.InstanceOut:
    """Apply a lifecycle request and wake the agents, whose next commands it may have queued."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        out = _out(session, found, action(session, instance))
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
