"""Instances in the store. Only control.lifecycle changes a status (through `set_status`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from stackworks.domain.entities import Instance
from stackworks.domain.errors import Conflict, NotFound
from stackworks.domain.status import InstanceStatus, ScalingType
from stackworks.store.id_chunks import sorted_chunks
from stackworks.store.stacks import OwnHeartbeat
from stackworks.store.tables import InstanceRow, StackRow, table_of, utcnow

_INSTANCES = table_of(InstanceRow)
_STACKS = table_of(StackRow)

#: heartbeats' UPDATE, built once (every agent sends one every few seconds, and building a
#: statement and its cache key each time cost more than running it): one statement sent with
#: each heartbeat's values
_KEEP_HEARTBEATS = (
    update(_INSTANCES)
    .where(_INSTANCES.c.id == bindparam("instance_id"))
    .values(last_heartbeat_at=bindparam("at"), metrics=bindparam("metrics"))
)

#: ... and what their answers need, read back in one query
_AFTER_HEARTBEATS = select(
    _INSTANCES.c.id,
    _INSTANCES.c.status,
    _INSTANCES.c.status_changed_at,
    _STACKS.c.heartbeat_interval,
    _STACKS.c.heartbeat_timeout,
).join(_STACKS, _STACKS.c.id == _INSTANCES.c.stack_id)


def to_entity(row: InstanceRow | Row[Any]) -> Instance:
    """An instance from its ORM row, or from a plain row of every column (agent_credentials)."""
    return Instance(
        id=row.id,
        stack_id=row.stack_id,
        hostname=row.hostname,
        layers=tuple(row.layers or ()),
        status=InstanceStatus(row.status),
        provider=row.provider,
        private_ip=row.private_ip,
        root_dir=row.root_dir,
        status_changed_at=row.status_changed_at,
        last_heartbeat_at=row.last_heartbeat_at,
        metrics=dict(row.metrics or {}),
        scaling=ScalingType(row.scaling),
        status_reason=row.status_reason or "",
        heal_failures=row.heal_failures or 0,
        heal_not_before=row.heal_not_before,
        pending_effect=row.pending_effect,
        effect_seq=row.effect_seq or 0,
        created_at=row.created_at,
        credential_rotate_by=row.credential_rotate_by,
    )


def _row(session: Session, instance_id: str, *, lock: bool = False) -> InstanceRow:
    query = select(InstanceRow).where(InstanceRow.id == instance_id)
    if lock:  # the row as it is once held, not the session's copy read before the wait
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.scalar(query)
    if row is None:
        raise NotFound("instance", instance_id)
    return row


def get(session: Session, instance_id: str, *, lock: bool = False) -> Instance:
    """One instance; `lock` holds its row until the transaction ends (PostgreSQL)."""
    return to_entity(_row(session, instance_id, lock=lock))


def lock_in_order(session: Session, instance_ids: Iterable[str]) -> dict[str, Instance]:
    """Hold many instances' rows until the transaction ends, taken by id, and read them afresh;
    returns them by id (one no longer stored is left out).

    For a transaction that moves several instances (a stack stop, a scheduling pass): it takes
    them all before it touches any command, in the order every such transaction takes them.
    Locked one by one as it goes, the first stop's fan-out would hold the others' configures
    while it waits for the next instance's row, which a result may hold while it waits for its
    configure: each would wait for the other, and PostgreSQL would abort one of the two.
    """
    found: dict[str, Instance] = {}
    for chunk in sorted_chunks(instance_ids):
        rows = session.scalars(
            select(InstanceRow)
            .where(InstanceRow.id.in_(chunk))
            .order_by(InstanceRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        found.update((row.id, to_entity(row)) for row in rows)
    return found


def get_many(session: Session, instance_ids: Iterable[str]) -> dict[str, Instance]:
    """Many instances by id, one query per chunk of them (`sorted_chunks`); an id no longer
    stored is left out."""
    found: dict[str, Instance] = {}
    for chunk in sorted_chunks(instance_ids):
        rows = session.scalars(select(InstanceRow).where(InstanceRow.id.in_(chunk)))
        found.update((row.id, to_entity(row)) for row in rows)
    return found


def get_by_hostname(session: Session, stack_id: str, hostname: str) -> Instance:
    row = session.scalar(
        select(InstanceRow).where(
            InstanceRow.stack_id == stack_id, InstanceRow.hostname == hostname
        )
    )
    if row is None:
        raise NotFound("instance", hostname)
    return to_entity(row)


def list_for_stack(session: Session, stack_id: str) -> list[Instance]:
    rows = session.scalars(
        select(InstanceRow)
        .where(InstanceRow.stack_id == stack_id, InstanceRow.status != InstanceStatus.TERMINATED)
        .order_by(InstanceRow.hostname)
    )
    return [to_entity(r) for r in rows]


def list_with_status(session: Session, statuses: Iterable[InstanceStatus]) -> list[Instance]:
    """Instances of every stack in any of `statuses`: what the orchestrator works on."""
    values = [s.value for s in statuses]
    rows = session.scalars(select(InstanceRow).where(InstanceRow.status.in_(values)))
    return [to_entity(r) for r in rows]


def list_with_heal_failures(session: Session, statuses: Iterable[InstanceStatus]) -> list[Instance]:
    """`list_with_status`, only the instances with failed replacements to forget: a handful,
    where all online instances are thousands."""
    values = [s.value for s in statuses]
    rows = session.scalars(
        select(InstanceRow).where(InstanceRow.status.in_(values), InstanceRow.heal_failures > 0)
    )
    return [to_entity(r) for r in rows]


def due_for_timeouts(
    session: Session,
    *,
    booting_since: datetime,
    silent_since: Mapping[datetime, Iterable[str]],
) -> list[Instance]:
    """The instances a time-out may be due on, for `domain.timeouts.due_events` to decide.

    Booting ones whose status changed before `booting_since`; setting up, online or stopping
    ones last heard of (their last heartbeat, else their status change) before the cutoff
    their stack's ids are listed under in `silent_since`; and every stopping one (a handful,
    whose layers' shutdown time-outs decide). A pass with thousands of instances online loads
    only the few that are late, not all of them (bench/agents_bench.py).
    """
    heard = func.coalesce(InstanceRow.last_heartbeat_at, InstanceRow.status_changed_at)
    beating = [InstanceStatus.RUNNING_SETUP.value, InstanceStatus.ONLINE.value]
    late = [
        and_(InstanceRow.stack_id.in_(list(stack_ids)), heard < cutoff)
        for cutoff, stack_ids in silent_since.items()
    ]
    wanted = [
        and_(
            InstanceRow.status == InstanceStatus.BOOTING.value,
            InstanceRow.status_changed_at < booting_since,
        ),
        InstanceRow.status == InstanceStatus.STOPPING.value,
    ]
    if late:
        wanted.append(and_(InstanceRow.status.in_(beating), or_(*late)))
    rows = session.scalars(select(InstanceRow).where(or_(*wanted)))
    return [to_entity(r) for r in rows]


def agents_per_stack(session: Session) -> dict[str, int]:
    """How many instances of each stack have an agent expected to heartbeat (by stack id)."""
    running = [status.value for status in InstanceStatus if status.agent_running]
    rows = session.execute(
        select(InstanceRow.stack_id, func.count())
        .where(InstanceRow.status.in_(running))
        .group_by(InstanceRow.stack_id)
    )
    return {stack_id: count for stack_id, count in rows}


def with_pending_effects(session: Session) -> list[Instance]:
    """Instances of every stack with provider work recorded and not yet done."""
    rows = session.scalars(select(InstanceRow).where(InstanceRow.pending_effect.is_not(None)))
    return [to_entity(r) for r in rows]


def finish_effect(session: Session, instance_id: str, effect_seq: int) -> bool:
    """Clear the recorded effect if it is still the one numbered `effect_seq`; whether it was."""
    row = _row(session, instance_id, lock=True)
    if row.effect_seq != effect_seq or row.pending_effect is None:
        return False
    row.pending_effect = None
    session.flush()
    return True


def set_reason(session: Session, instance_id: str, reason: str) -> Instance:
    """Say why the instance is where it is, without moving it."""
    row = _row(session, instance_id)
    row.status_reason = reason
    session.flush()
    return to_entity(row)


def hostnames(session: Session, stack_id: str) -> set[str]:
    return set(
        session.scalars(select(InstanceRow.hostname).where(InstanceRow.stack_id == stack_id))
    )


def hostnames_by_id(session: Session, stack_id: str) -> dict[str, str]:
    """The stack's instances' hostnames by id: two columns, no entity (a 5,000-instance
    deployment's page names its commands' instances with it)."""
    rows = session.execute(
        select(InstanceRow.id, InstanceRow.hostname).where(InstanceRow.stack_id == stack_id)
    )
    return {instance_id: hostname for instance_id, hostname in rows}


def addresses(session: Session, provider: str) -> set[str]:
    """Addresses every instance of a provider holds, across stacks."""
    rows = session.scalars(
        select(InstanceRow.private_ip).where(
            InstanceRow.provider == provider, InstanceRow.private_ip.is_not(None)
        )
    )
    return {ip for ip in rows if ip}


def create(session: Session, instance: Instance) -> Instance:
    if instance.hostname in hostnames(session, instance.stack_id):
        raise Conflict(
            f"hostname: the stack already has an instance {instance.hostname!r}", field="hostname"
        )
    row = InstanceRow(
        id=instance.id,
        stack_id=instance.stack_id,
        hostname=instance.hostname,
        layers=list(instance.layers),
        status=instance.status.value,
        provider=instance.provider,
        private_ip=instance.private_ip,
        root_dir=instance.root_dir,
        scaling=instance.scaling.value,
        status_changed_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return to_entity(row)


def set_status(
    session: Session,
    instance_id: str,
    status: InstanceStatus,
    reason: str = "",
    effect: str | None = None,
) -> Instance:
    """Move the instance to `status`; `reason` says why (empty clears the old reason);
    `effect` is the provider work the move asks for, replacing any not yet done."""
    row = _row(session, instance_id)
    row.status = status.value
    row.status_reason = reason
    row.status_changed_at = utcnow()
    row.pending_effect = effect
    row.effect_seq = (row.effect_seq or 0) + 1
    session.flush()
    return to_entity(row)


def update_fields(session: Session, instance_id: str, **fields: Any) -> Instance:
    """Set plain fields (private_ip, root_dir, credential_hash, layers, metrics...)."""
    row = _row(session, instance_id)
    for name, value in fields.items():
        if not hasattr(InstanceRow, name) or name in {"id", "stack_id", "status"}:
            raise ValueError(f"not an updatable instance field: {name}")
        setattr(row, name, value)
    session.flush()
    return to_entity(row)


class RecordedHeartbeat(NamedTuple):
    """A heartbeat kept: the instance as it now is, and its stack's own heartbeat settings."""

    instance: Instance
    stack_heartbeat: OwnHeartbeat


def _kept(instance: Instance, row: Any, metrics: dict[str, Any], at: datetime) -> RecordedHeartbeat:
    """A heartbeat kept, from the row its UPDATE returned or was read back in: the instance's
    status (the orchestrator may have moved it since the credential was read) and the
    stack's settings."""
    updated = replace(
        instance,
        status=InstanceStatus(row.status),
        status_changed_at=row.status_changed_at,
        last_heartbeat_at=at,
        metrics=dict(metrics),
    )
    return RecordedHeartbeat(updated, (row.heartbeat_interval, row.heartbeat_timeout))


def record_heartbeats(
    session: Session, beats: Iterable[tuple[Instance, dict[str, Any]]], at: datetime
) -> dict[str, RecordedHeartbeat]:
    """Keep heartbeats' times and metrics, in two statements for all of them: their UPDATEs
    sent as one (rows taken in id order, as other transactions that lock many take them),
    then their statuses and stacks' settings read back (the orchestrator may have moved an
    instance since its credential was read). By instance id; an instance that is no longer
    there is left out."""
    ordered = sorted(beats, key=lambda beat: beat[0].id)
    if not ordered:
        return {}
    session.execute(
        _KEEP_HEARTBEATS,
        [{"instance_id": i.id, "at": at, "metrics": metrics} for i, metrics in ordered],
    )
    found: dict[str, Any] = {}
    for chunk in sorted_chunks(i.id for i, _ in ordered):
        found.update(
            (row.id, row)
            for row in session.execute(_AFTER_HEARTBEATS.where(_INSTANCES.c.id.in_(chunk)))
        )
    recorded = {}
    for instance, metrics in ordered:
        row = found.get(instance.id)
        if row is not None:
            recorded[instance.id] = _kept(instance, row, metrics, at)
    return recorded


def delete(session: Session, instance_id: str) -> None:
    row = session.get(InstanceRow, instance_id)
    if row is not None:
        session.delete(row)
        session.flush()
