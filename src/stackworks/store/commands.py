"""Commands in the store: the queue each agent polls, and the history DescribeCommands shows.

A command's configuration is stored with its secrets masked and the secrets apart, encrypted;
entities carry the masked one, and only `configuration_for_agent` puts the secrets back. Its
shared sections (`layers`, `instances`) are stored once per version in `stack_configurations`
and the command names the version; entities carry them joined back in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from stackworks.domain import shared_configuration
from stackworks.domain.entities import Command
from stackworks.domain.errors import NotFound
from stackworks.domain.status import CommandName, CommandStatus, InstanceStatus
from stackworks.store import sealing, stack_configurations
from stackworks.store.id_chunks import sorted_chunks
from stackworks.store.tables import CommandRow, InstanceRow, table_of, utcnow

JSON = dict[str, Any]


_COMMANDS = table_of(CommandRow)


def to_entity(
    row: CommandRow | Row[Any],
    *,
    with_log: bool = True,
    shared: JSON | None = None,
    with_configuration: bool = True,
) -> Command:
    """The command as people see it; `shared`: its version's shared sections, joined in.
    Without `with_configuration`, its configuration is left empty (not read)."""
    configuration: JSON = {}
    if with_configuration:
        configuration = dict(row.configuration or {})
        if shared is not None:
            configuration = shared_configuration.join(configuration, shared)
    return Command(
        id=row.id,
        stack_id=row.stack_id,
        instance_id=row.instance_id,
        type=CommandName(row.type),
        status=CommandStatus(row.status),
        deployment_id=row.deployment_id,
        deployment_step=row.deployment_step,
        subject_id=row.subject_id,
        reason=row.reason,
        run_list=tuple(row.run_list or ()),
        configuration=configuration,
        configuration_version=row.configuration_version,
        created_at=row.created_at,
        sent_at=row.sent_at,
        acknowledged_at=row.acknowledged_at,
        completed_at=row.completed_at,
        exit_code=row.exit_code,
        log=row.log if with_log else "",
    )


def row(session: Session, command_id: str, *, lock: bool = False) -> CommandRow:
    """The command's row; `lock` reads it afresh and holds it until the transaction ends, so
    a result and the orchestrator's time-out do not both finish it."""
    if lock:
        found = session.scalar(
            select(CommandRow)
            .where(CommandRow.id == command_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    else:
        found = session.get(CommandRow, command_id)
    if found is None:
        raise NotFound("command", command_id)
    return found


def rows(
    session: Session, command_ids: Iterable[str], *, lock: bool = False
) -> dict[str, CommandRow]:
    """Many commands' rows by id (one query per chunk, in id order); `lock` reads them afresh
    and holds them until the transaction ends. An id not stored is left out."""
    found: dict[str, CommandRow] = {}
    for chunk in sorted_chunks(command_ids):
        query = select(CommandRow).where(CommandRow.id.in_(chunk)).order_by(CommandRow.id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        found.update((row.id, row) for row in session.scalars(query))
    return found


def entity(session: Session, found: CommandRow, *, with_log: bool = True) -> Command:
    """One command with its whole (masked) configuration, shared sections included."""
    shared = stack_configurations.bodies(session, _versions([found])).get(
        found.configuration_version or ""
    )
    return to_entity(found, with_log=with_log, shared=shared)


def _versions(rows: Iterable[CommandRow | Row[Any]]) -> set[str]:
    return {r.configuration_version for r in rows if r.configuration_version}


def add(session: Session, command: Command, timeout: int, *, flush: bool = True) -> Command:
    """Queue `command`; with a `configuration_version` (saved already), only its own part of
    the configuration is stored with it. `flush=False` leaves the INSERT to the next flush, so
    a fan-out's commands go to the database in one batch."""
    own, shared = command.configuration, None
    if command.configuration_version is not None:
        own, shared = shared_configuration.split(command.configuration)
    configuration, sealed = sealing.split_configuration(session, own)
    new = CommandRow(
        id=command.id,
        stack_id=command.stack_id,
        instance_id=command.instance_id,
        deployment_id=command.deployment_id,
        deployment_step=command.deployment_step,
        subject_id=command.subject_id,
        type=command.type.value,
        status=command.status.value,
        reason=command.reason,
        run_list=list(command.run_list),
        configuration=configuration,
        sealed_secrets=sealed,
        configuration_version=command.configuration_version,
        timeout=timeout,
    )
    session.add(new)
    if flush:
        session.flush()
    return to_entity(new, shared=shared)


def configuration_for_agent(
    session: Session, found: CommandRow, *, with_shared: bool = True
) -> JSON:
    """The configuration, secrets included: only for the agent that runs the command.
    `with_shared=False`: without the shared sections, which an agent that says it can fetches
    by version; a command queued before versions carries them inline either way."""
    own = sealing.join_configuration(session, dict(found.configuration or {}), found.sealed_secrets)
    if not with_shared or found.configuration_version is None:
        return own
    return shared_configuration.join(
        own, stack_configurations.get(session, found.stack_id, found.configuration_version)
    )


def skip_unstarted(session: Session, instance_id: str, type_: CommandName, reason: str) -> int:
    """Mark the instance's not-yet-started commands of a type skipped; returns how many."""
    return skip_unstarted_of(session, [instance_id], type_, reason)


def skip_unstarted_of(
    session: Session, instance_ids: Iterable[str], type_: CommandName, reason: str
) -> int:
    """`skip_unstarted` for many instances at once (a fan-out): one query per chunk of them
    (`id_chunks`).

    The rows are locked (`SELECT ... FOR UPDATE`) before they change, in one order for every
    caller: by instance id, then as `pending_for_instance` reads an instance's commands
    (oldest first). So two fan-outs over the same instances take turns instead of deadlocking,
    and within one instance the order is every writer's. The instance rows themselves are not
    locked: a result holds its instance's row and then waits for its command's, and a fan-out
    holding commands never waits for an instance's row, so the two can only wait in one
    direction. Nor would locking them help: a fan-out already holds its subject's row, out of
    any order across instances, and it must not hold a thousand rows against their heartbeats.

    A row whose result is being recorded is waited for; PostgreSQL then checks the WHERE
    again against the row as committed, so a command finished meanwhile is left out rather
    than turned from successful into skipped (`populate_existing`: the session's copy is
    replaced by the row as read, whose log is appended to).
    """
    now = utcnow()
    skipped = 0
    for chunk in sorted_chunks(instance_ids):
        rows = session.scalars(
            select(CommandRow)
            .where(
                CommandRow.instance_id.in_(chunk),
                CommandRow.type == type_.value,
                CommandRow.status == CommandStatus.PENDING.value,
                CommandRow.acknowledged_at.is_(None),
            )
            .order_by(CommandRow.instance_id, CommandRow.created_at, CommandRow.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).all()
        for found in rows:
            found.status = CommandStatus.SKIPPED.value
            found.completed_at = now
            found.log = (found.log + reason + "\n") if found.log else reason + "\n"
        skipped += len(rows)
    session.flush()
    return skipped


def oldest_pending(session: Session, instance_id: str) -> CommandRow | None:
    """The instance's oldest pending command: what its agent's poll gets next."""
    return session.scalar(
        select(CommandRow)
        .where(
            CommandRow.instance_id == instance_id,
            CommandRow.status == CommandStatus.PENDING.value,
        )
        .order_by(CommandRow.created_at, CommandRow.id)
        .limit(1)
    )


def oldest_pending_of(session: Session, instance_ids: Iterable[str]) -> dict[str, CommandRow]:
    """`oldest_pending` for many instances at once (the long-poll hub's delivery), one query
    per chunk of them: each instance with a pending command, by id, to that command."""
    found: dict[str, CommandRow] = {}
    for chunk in sorted_chunks(instance_ids):
        rows = session.scalars(
            select(CommandRow)
            .where(
                CommandRow.instance_id.in_(chunk),
                CommandRow.status == CommandStatus.PENDING.value,
            )
            .order_by(CommandRow.instance_id, CommandRow.created_at, CommandRow.id)
        )
        for row in rows:
            found.setdefault(row.instance_id, row)
    return found


def pending_for_instance(
    session: Session, instance_id: str, *, lock: bool = False, skip_locked: bool = False
) -> list[CommandRow]:
    """The instance's pending commands, oldest first. `lock` holds them until the transaction
    ends (a row finished meanwhile by another transaction is left out, being no longer
    pending); `skip_locked` leaves out, rather than waits for, rows another transaction holds,
    such as a result being recorded right now."""
    query = (
        select(CommandRow)
        .where(
            CommandRow.instance_id == instance_id,
            CommandRow.status == CommandStatus.PENDING.value,
        )
        .order_by(CommandRow.created_at, CommandRow.id)
    )
    if lock or skip_locked:
        query = query.with_for_update(skip_locked=skip_locked).execution_options(
            populate_existing=True
        )
    return list(session.scalars(query))


class PendingCommand(NamedTuple):
    """What the orchestrator's expiry needs of a pending command, not the whole row."""

    id: str
    instance_id: str
    acknowledged_at: datetime | None
    timeout: int


def pending_on_instances_with_status(
    session: Session,
    statuses: Iterable[InstanceStatus],
    *,
    acknowledged: bool = False,
    acknowledged_before: datetime | None = None,
) -> list[PendingCommand]:
    """Pending commands of every instance in one of `statuses` (`acknowledged`: only those an
    agent has started; `acknowledged_before`: started before then), oldest first: one query
    for the whole server, every second. Only the columns the expiry reads: a 5,000-instance
    configure running long had each pass build 5,000 rows with their configurations and logs
    (bench/agents_bench.py)."""
    query = (
        select(
            CommandRow.id, CommandRow.instance_id, CommandRow.acknowledged_at, CommandRow.timeout
        )
        .join(InstanceRow, InstanceRow.id == CommandRow.instance_id)
        .where(
            CommandRow.status == CommandStatus.PENDING.value,
            InstanceRow.status.in_([s.value for s in statuses]),
        )
    )
    if acknowledged:
        query = query.where(CommandRow.acknowledged_at.is_not(None))
    if acknowledged_before is not None:
        query = query.where(CommandRow.acknowledged_at < acknowledged_before)
    rows = session.execute(query.order_by(CommandRow.created_at, CommandRow.id))
    return [PendingCommand(*row) for row in rows]


def list_for_stack(
    session: Session,
    stack_id: str,
    *,
    instance_id: str | None = None,
    deployment_id: str | None = None,
    type_: CommandName | None = None,
    with_log: bool = False,
    with_configuration: bool = False,
) -> list[Command]:
    """The stack's commands (of one instance, deployment or type), oldest first; with their
    logs and configurations only if asked. A deployment's page is read every few seconds
    while it runs, and joining each of a 1,000-instance configure's commands with its shared
    sections took most of the server's time (bench/agents_bench.py, the first configure)."""
    asked = {"log": with_log, "configuration": with_configuration}
    skipped = {name for name, wanted in asked.items() if not wanted}
    query = select(*(c for c in _COMMANDS.c if c.name not in skipped))
    query = query.where(CommandRow.stack_id == stack_id)
    if instance_id:
        query = query.where(CommandRow.instance_id == instance_id)
    if deployment_id:
        query = query.where(CommandRow.deployment_id == deployment_id)
    if type_:
        query = query.where(CommandRow.type == type_.value)
    # plain rows, not ORM objects: a 5,000-command deployment's page built 5,000 of them a look
    rows = session.execute(query.order_by(CommandRow.created_at, CommandRow.id)).all()
    shared = stack_configurations.bodies(session, _versions(rows)) if with_configuration else {}
    return [
        to_entity(
            r,
            with_log=with_log,
            shared=shared.get(r.configuration_version or ""),
            with_configuration=with_configuration,
        )
        for r in rows
    ]


def for_deployment(session: Session, deployment_id: str) -> list[CommandRow]:
    """The deployment's commands as the database has them now (`populate_existing`), even
    those the session read before: a result committed meanwhile shows. (Settling counts them
    by status instead, `statuses_in_deployment`, which reads the database each time too.)"""
    return list(
        session.scalars(
            select(CommandRow)
            .where(CommandRow.deployment_id == deployment_id)
            .execution_options(populate_existing=True)
        )
    )


def pending_in(session: Session, deployment_id: str, step: int | None, *, at_most: int) -> int:
    """How many commands of the deployment (of its rolling `step`, if given) are pending,
    counted up to `at_most` (a larger number answers `at_most`)."""
    query = select(CommandRow.id).where(
        CommandRow.deployment_id == deployment_id,
        CommandRow.status == CommandStatus.PENDING.value,
    )
    if step is not None:
        query = query.where(CommandRow.deployment_step == step)
    return len(session.scalars(query.limit(at_most)).all())


def statuses_in_deployment(
    session: Session, deployment_id: str, step: int | None = None
) -> Counter[CommandStatus]:
    """How many of a deployment's commands (of one `step` of it) are in each status.

    One GROUP BY, not every row: each result settles its deployment, and a configure fan-out
    has a command per online instance, so reading the rows made a fan-out O(N²), all of it
    under the deployment's row lock (bench/agents_bench.py)."""
    query = select(CommandRow.status, func.count()).where(CommandRow.deployment_id == deployment_id)
    if step is not None:
        query = query.where(CommandRow.deployment_step == step)
    counted = session.execute(query.group_by(CommandRow.status))
    return Counter({CommandStatus(status): count for status, count in counted})


def finish(
    session: Session,
    found: CommandRow,
    status: CommandStatus,
    exit_code: int | None,
    at: datetime,
    report: dict[str, Any] | None = None,
    note: str = "",
    *,
    flush: bool = True,
) -> None:
    """Finish a command; `flush=False` leaves the UPDATE to the session's next flush (many
    results in one transaction go out together, control.agents.complete_many)."""
    found.status = status.value
    found.exit_code = exit_code
    found.completed_at = at
    if report is not None:
        found.report = report
    if note:
        found.log = found.log + note + "\n"
    if flush:
        session.flush()


def configures_pending_about(session: Session, subject_id: str) -> int:
    """How many configures about an instance's coming or going have not finished."""
    count = session.scalar(
        select(func.count())
        .select_from(CommandRow)
        .where(
            CommandRow.subject_id == subject_id,
            CommandRow.type == CommandName.CONFIGURE.value,
            CommandRow.status == CommandStatus.PENDING.value,
        )
    )
    return int(count or 0)
