"""/stacks/{stack}/volumes, /addresses, /databases, and /start, /stop of the whole stack.

Reads need a user token, changes an admin one. Database passwords never come back out.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from stackworks.api.access import ManageStack, ShowStack
from stackworks.api.deps import DatabaseDep, SettingsDep, SignalDep, stack_named
from stackworks.control import addresses as address_control
from stackworks.control import databases as database_control
from stackworks.control import stack_power
from stackworks.control import volumes as volume_control
from stackworks.domain.entities import Stack
from stackworks.domain.resources import Volume
from stackworks.providers import address_claims
from stackworks.store import addresses as address_store
from stackworks.store import databases as database_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import volumes as volume_store
from stackworks.wire import presenters, schemas

router = APIRouter(prefix="/stacks/{stack}", tags=["resources"])

LOCAL_PROVIDER = "local"


def _hostnames(session: Session, stack: Stack) -> dict[str, str]:
    return instance_store.hostnames_by_id(session, stack.id)


def _volume_out(session: Session, stack: Stack, volume: Volume) -> schemas.VolumeOut:
    layers = {layer.id: layer.shortname for layer in layer_store.list_for_stack(session, stack.id)}
    return presenters.volume_out(stack, volume, _hostnames(session, stack), layers)


# --- volumes --------------------------------------------------------------------------------


@router.get("/volumes")
def list_volumes(stack: str, db: DatabaseDep, _user: ShowStack) -> list[schemas.VolumeOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return [
            _volume_out(session, found, v) for v in volume_store.list_for_stack(session, found.id)
        ]


@router.post("/volumes", status_code=201)
def register_volume(
    stack: str,
    body: schemas.VolumeRegister,
    db: DatabaseDep,
    settings: SettingsDep,
    _admin: ManageStack,
) -> schemas.VolumeOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        volume = volume_control.register_volume(session, found, body, Path(settings.data_dir))
        return _volume_out(session, found, volume)


@router.get("/volumes/{volume}")
def show_volume(stack: str, volume: str, db: DatabaseDep, _user: ShowStack) -> schemas.VolumeOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return _volume_out(session, found, volume_store.get(session, found.id, volume))


@router.patch("/volumes/{volume}")
def update_volume(
    stack: str, volume: str, body: schemas.VolumeUpdate, db: DatabaseDep, _admin: ManageStack
) -> schemas.VolumeOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = volume_store.get(session, found.id, volume)
        return _volume_out(
            session, found, volume_control.update_volume(session, found, current, body)
        )


@router.post("/volumes/{volume}/assign")
def assign_volume(
    stack: str, volume: str, body: schemas.VolumeAssign, db: DatabaseDep, _admin: ManageStack
) -> schemas.VolumeOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = volume_store.get(session, found.id, volume)
        instance = instance_store.get_by_hostname(session, found.id, body.instance)
        assigned = volume_control.assign_volume(session, current, instance, body.mount_point)
        return _volume_out(session, found, assigned)


@router.post("/volumes/{volume}/unassign")
def unassign_volume(
    stack: str, volume: str, db: DatabaseDep, _admin: ManageStack
) -> schemas.VolumeOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = volume_store.get(session, found.id, volume)
        return _volume_out(session, found, volume_control.unassign_volume(session, current))


@router.delete("/volumes/{volume}", status_code=204)
def deregister_volume(stack: str, volume: str, db: DatabaseDep, _admin: ManageStack) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        volume_control.deregister_volume(session, volume_store.get(session, found.id, volume))
    return Response(status_code=204)


@router.get("/volumes/{volume}/snapshots")
def list_snapshots(
    stack: str, volume: str, db: DatabaseDep, _user: ShowStack
) -> list[schemas.SnapshotOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = volume_store.get(session, found.id, volume)
        return [
            presenters.snapshot_out(s)
            for s in volume_store.snapshots_for_volume(session, current.id)
        ]


@router.post("/volumes/{volume}/snapshots", status_code=201)
def take_snapshot(
    stack: str, volume: str, db: DatabaseDep, _admin: ManageStack
) -> schemas.SnapshotOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = volume_store.get(session, found.id, volume)
        return presenters.snapshot_out(volume_control.take_snapshot(session, current))


@router.get("/snapshots")
def list_stack_snapshots(
    stack: str, db: DatabaseDep, _user: ShowStack
) -> list[schemas.SnapshotOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return [
            presenters.snapshot_out(s) for s in volume_store.snapshots_for_stack(session, found.id)
        ]


@router.post("/snapshots/{snapshot}/restore", status_code=201)
def restore_snapshot(
    stack: str,
    snapshot: str,
    body: schemas.SnapshotRestore,
    db: DatabaseDep,
    settings: SettingsDep,
    _admin: ManageStack,
) -> schemas.VolumeOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        taken = volume_store.get_snapshot(session, found.id, snapshot)
        volume = volume_control.restore_snapshot(
            session, found, taken, body.name, Path(settings.data_dir), body.mount_point
        )
        return _volume_out(session, found, volume)


@router.delete("/snapshots/{snapshot}", status_code=204)
def delete_snapshot(stack: str, snapshot: str, db: DatabaseDep, _admin: ManageStack) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        volume_control.delete_snapshot(
            session, volume_store.get_snapshot(session, found.id, snapshot)
        )
    return Response(status_code=204)


# --- addresses ------------------------------------------------------------------------------


@router.get("/addresses")
def list_addresses(stack: str, db: DatabaseDep, _user: ShowStack) -> list[schemas.AddressOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        hostnames = _hostnames(session, found)
        return [
            presenters.address_out(found, a, hostnames)
            for a in address_store.list_for_stack(session, found.id)
        ]


@router.post("/addresses", status_code=201)
def register_address(
    stack: str,
    body: schemas.AddressRegister,
    request: Request,
    db: DatabaseDep,
    signal: SignalDep,
    _admin: ManageStack,
) -> schemas.AddressOut:
    provider = request.app.state.providers[LOCAL_PROVIDER]
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = (
            instance_store.get_by_hostname(session, found.id, body.instance)
            if body.instance
            else None
        )
        address = address_control.register_address(
            session, found, body.name, provider.allocate_address
        )
        if instance is not None:
            address = address_control.associate_address(session, address, instance)
        out = presenters.address_out(found, address, _hostnames(session, found))
    signal.bump()
    return out


@router.get("/addresses/{address}")
def show_address(stack: str, address: str, db: DatabaseDep, _user: ShowStack) -> schemas.AddressOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return presenters.address_out(
            found, address_store.get(session, found.id, address), _hostnames(session, found)
        )


@router.patch("/addresses/{address}")
def update_address(
    stack: str, address: str, body: schemas.AddressUpdate, db: DatabaseDep, _admin: ManageStack
) -> schemas.AddressOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = address_store.get(session, found.id, address)
        renamed = address_control.rename_address(session, current, body.name)
        return presenters.address_out(found, renamed, _hostnames(session, found))


@router.post("/addresses/{address}/associate")
def associate_address(
    stack: str,
    address: str,
    body: schemas.AddressAssociate,
    db: DatabaseDep,
    signal: SignalDep,
    _admin: ManageStack,
) -> schemas.AddressOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = address_store.get(session, found.id, address)
        instance = instance_store.get_by_hostname(session, found.id, body.instance)
        moved = address_control.associate_address(session, current, instance)
        out = presenters.address_out(found, moved, _hostnames(session, found))
    signal.bump()
    return out


@router.post("/addresses/{address}/disassociate")
def disassociate_address(
    stack: str, address: str, db: DatabaseDep, signal: SignalDep, _admin: ManageStack
) -> schemas.AddressOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = address_store.get(session, found.id, address)
        freed = address_control.disassociate_address(session, current)
        out = presenters.address_out(found, freed, _hostnames(session, found))
    signal.bump()
    return out


@router.delete("/addresses/{address}", status_code=204)
def deregister_address(
    stack: str,
    address: str,
    db: DatabaseDep,
    settings: SettingsDep,
    signal: SignalDep,
    _admin: ManageStack,
) -> Response:
    data_dir = Path(settings.data_dir)
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = address_store.get(session, found.id, address)
        address_control.deregister_address(
            session, current, lambda ip: address_claims.release(ip, data_dir)
        )
    signal.bump()
    return Response(status_code=204)


# --- databases ------------------------------------------------------------------------------


@router.get("/databases")
def list_databases(stack: str, db: DatabaseDep, _user: ShowStack) -> list[schemas.DatabaseOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        return [
            presenters.database_out(found, d, database_control.users_of(session, d))
            for d in database_store.list_for_stack(session, found.id)
        ]


@router.post("/databases", status_code=201)
def register_database(
    stack: str, body: schemas.DatabaseRegister, db: DatabaseDep, _admin: ManageStack
) -> schemas.DatabaseOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        database = database_control.register_database(session, found, body)
        return presenters.database_out(found, database, [])


@router.get("/databases/{database}")
def show_database(
    stack: str, database: str, db: DatabaseDep, _user: ShowStack
) -> schemas.DatabaseOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = database_store.get(session, found.id, database)
        return presenters.database_out(found, current, database_control.users_of(session, current))


@router.patch("/databases/{database}")
def update_database(
    stack: str,
    database: str,
    body: schemas.DatabaseUpdate,
    db: DatabaseDep,
    signal: SignalDep,
    _admin: ManageStack,
) -> schemas.DatabaseOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        current = database_store.get(session, found.id, database)
        updated = database_control.update_database(session, current, body)
        out = presenters.database_out(found, updated, database_control.users_of(session, updated))
    signal.bump()
    return out


@router.delete("/databases/{database}", status_code=204)
def deregister_database(
    stack: str, database: str, db: DatabaseDep, _admin: ManageStack
) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        database_control.deregister_database(
            session, database_store.get(session, found.id, database)
        )
    return Response(status_code=204)


# --- start and stop the whole stack ---------------------------------------------------------


@router.post("/start")
def start_stack(
    stack: str, db: DatabaseDep, signal: SignalDep, _admin: ManageStack
) -> schemas.StackPowerResult:
    with db.transaction() as session:
        result = stack_power.start_stack(session, stack_named(session, stack))
    signal.bump()
    return result


@router.post("/stop")
def stop_stack(
    stack: str, db: DatabaseDep, signal: SignalDep, _admin: ManageStack
) -> schemas.StackPowerResult:
    with db.transaction() as session:
        result = stack_power.stop_stack(session, stack_named(session, stack))
    signal.bump()
    return result
