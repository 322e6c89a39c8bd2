"""What happens when an agent calls: heartbeats, command fetches, logs and results.

A result can move its instance along the lifecycle: a successful setup brings it online, the
end of shutdown lets the provider end its processes.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from stackworks.control import deployments, lifecycle
from stackworks.domain.entities import Instance
from stackworks.domain.errors import Conflict, NotFound
from stackworks.domain.lifecycle import InstanceEvent
from stackworks.domain.scrubbing import Scrubber
from stackworks.domain.stack_config import secure_values
from stackworks.domain.status import CommandName, CommandStatus, EventKind, InstanceStatus
from stackworks.store import commands as command_store
from stackworks.store import events as event_store
from stackworks.store import instances as instance_store
from stackworks.store import metrics as metric_store
from stackworks.store.tables import CommandRow, utcnow
from stackworks.wire import schemas

MAX_LOG_CHARS = 2_000_000  # a command's stored log is cut beyond this
SHUTDOWN_HOLD = 60.0  # seconds a shutdown waits for the other instances' configures


def heartbeat(
    session: Session, instance: Instance, metrics: dict[str, Any]
) -> instance_store.RecordedHeartbeat:
    """Keep a heartbeat; an instance booting or lost is connected by it. The instance as it
    then is, and its stack's own heartbeat settings (the answer's interval); NotFound if the
    instance is no longer there."""
    recorded = heartbeats(session, [(instance, metrics)])
    if instance.id not in recorded:
        raise NotFound("instance", instance.id)
    return recorded[instance.id]


def heartbeats(
    session: Session, beats: Sequence[tuple[Instance, dict[str, Any]]]
) -> dict[str, instance_store.RecordedHeartbeat]:
    """`heartbeat` for many instances in one transaction, a few statements in all
    (api/heartbeat_batches.py); by instance id, an instance no longer there left out."""
    now = utcnow()
    recorded = instance_store.record_heartbeats(session, beats, now)
    metric_store.record_heartbeats(  # metrics history
        session, ((i.id, metrics) for i, metrics in beats if i.id in recorded), now
    )
    return {
        instance_id: instance_store.RecordedHeartbeat(_connected(session, kept), own)
        for instance_id, (kept, own) in recorded.items()
    }


def _connected(session: Session, instance: Instance) -> Instance:
    """An instance booting or lost, now heard from: connected (and, lost, said to be back)."""
    if instance.status not in (InstanceStatus.BOOTING, InstanceStatus.CONNECTION_LOST):
        return instance
    was_lost = instance.status is InstanceStatus.CONNECTION_LOST
    instance = lifecycle.fire(session, instance.id, InstanceEvent.AGENT_CONNECTED)
    if was_lost:
        event_store.record(
            session,
            instance.stack_id,
            EventKind.LIFECYCLE,
            f"{instance.hostname} is back: its agent called again",
            instance=instance,
        )
    return instance


def next_command(
    session: Session, instance: Instance, *, acknowledge: bool = False
) -> CommandRow | None:
    """The oldest pending command of the instance, marked sent, and with `acknowledge` marked
    acknowledged too (the agent asked to have its delivery taken as its ack)."""
    if not instance.status.agent_running:
        return None
    first = command_store.oldest_pending(session, instance.id)
    if first is None or _held_back(session, instance, first):
        return None
    _mark_delivered(first, utcnow(), acknowledge=acknowledge)
    session.flush()  # writes only what changed
    return first


def next_commands(
    session: Session, instance_ids: Iterable[str], *, acknowledged: Container[str] = ()
) -> dict[str, tuple[Instance, CommandRow]]:
    """`next_command` for many instances at once, in a few queries rather than a few each
    (the long-poll hub hands out a fan-out's commands this way): each instance that has one
    to deliver, by id, with its command, marked sent, and acknowledged for the instances in
    `acknowledged` (their agents asked to have the delivery taken as the ack)."""
    instances = instance_store.get_many(session, instance_ids)
    running = [i for i in instances.values() if i.status.agent_running]
    firsts = command_store.oldest_pending_of(session, (i.id for i in running))
    now = utcnow()
    delivered: dict[str, tuple[Instance, CommandRow]] = {}
    for instance in running:
        first = firsts.get(instance.id)
        if first is None or _held_back(session, instance, first):
            continue
        _mark_delivered(first, now, acknowledge=instance.id in acknowledged)
        delivered[instance.id] = (instance, first)
    session.flush()
    return delivered


def _mark_delivered(row: CommandRow, now: datetime, *, acknowledge: bool) -> None:
    if row.sent_at is None:
        row.sent_at = now
    if acknowledge and row.acknowledged_at is None:
        row.acknowledged_at = now


def _held_back(session: Session, instance: Instance, first: CommandRow) -> bool:
    """A shutdown waits while the others reconfigure, so no request reaches a stopping
    process."""
    return first.type == CommandName.SHUTDOWN.value and _others_still_reconfiguring(
        session, instance
    )


def _others_still_reconfiguring(session: Session, instance: Instance) -> bool:
    """Whether configures about this instance leaving are pending, for at most SHUTDOWN_HOLD
    seconds after it began stopping: an instance that never runs its configure (lost, busy)
    must not keep another from stopping."""
    since = instance.status_changed_at
    if since is not None and (utcnow() - since).total_seconds() > SHUTDOWN_HOLD:
        return False
    return command_store.configures_pending_about(session, instance.id) > 0


def _own(
    session: Session, instance: Instance, command_id: str, *, lock: bool = False
) -> CommandRow:
    """A command of this instance; another instance's command is as unknown as a missing one."""
    row = command_store.row(session, command_id, lock=lock)
    if row.instance_id != instance.id:
        raise NotFound("command", command_id)
    return row


def acknowledge(session: Session, instance: Instance, command_id: str) -> None:
    row = _own(session, instance, command_id)
    if row.status != CommandStatus.PENDING.value:
        raise Conflict(f"command {command_id} is {row.status}; do not run it")
    if row.acknowledged_at is None:
        row.acknowledged_at = utcnow()
        session.flush()


def append_log(
    session: Session, instance: Instance, command_id: str, seq: int, lines: list[str]
) -> None:
    row = _own(session, instance, command_id)
    if seq > row.log_seq:  # else a resend of a chunk already stored
        _store_chunk(session, row, seq, lines, _scrubber(session, row))


def _store_chunk(
    session: Session, row: CommandRow, seq: int, lines: list[str], scrubber: Scrubber
) -> None:
    """Add a new chunk's lines to the command's log, scrubbed, up to MAX_LOG_CHARS."""
    text = "".join(
        scrubbed if scrubbed.endswith("\n") else scrubbed + "\n"
        for scrubbed in (scrubber.line(line) for line in lines)
    )
    if len(row.log) + len(text) > MAX_LOG_CHARS:
        text = text[: max(0, MAX_LOG_CHARS - len(row.log))] + "[log cut: too long]\n"
    row.log = row.log + text
    row.log_seq = seq  # written with the result's own changes, if any: one UPDATE, not two


def complete(
    session: Session,
    instance: Instance,
    command_id: str,
    status: CommandStatus,
    exit_code: int,
    report: dict[str, Any],
    log: schemas.LogChunk | None = None,
) -> None:
    """Record a result (a resend of a recorded one is ignored) and follow it through; `log`,
    the command's last chunk, is stored first exactly as `append_log` would store it (so a
    resent result does not double its lines). The rows are locked in the order every writer
    takes them (the instance, the command, then in `deployments.settle` the deployment): a
    resend racing the first delivery on another replica, or the orchestrator's time-out,
    waits and then finds the command finished."""
    held = instance_store.get(session, instance.id, lock=True)
    row = _own(session, instance, command_id, lock=True)
    _record(session, held, row, Report(command_id, status, exit_code, report, log))


@dataclass(frozen=True)
class Report:
    """One result as its agent reported it (`POST /agent/commands/{id}/result`)."""

    command_id: str
    status: CommandStatus
    exit_code: int
    report: dict[str, Any]
    log: schemas.LogChunk | None = None


def complete_many(
    session: Session, reports: Sequence[tuple[Instance, Report]]
) -> list[NotFound | None]:
    """`complete` for many results in one transaction (api/result_batches.py): every
    instance's row locked first, in id order, then every command's, as `complete` takes them
    and in the order other transactions that lock many take them. For each report, None, or
    NotFound if its command is not that instance's (nothing of that one is written); each
    instance is the one its agent's credential names."""
    held = instance_store.lock_in_order(session, (i.id for i, _ in reports))
    rows = command_store.rows(session, (r.command_id for _, r in reports), lock=True)
    outcomes: list[NotFound | None] = []
    for named, report in reports:
        row = rows.get(report.command_id)
        instance = held.get(named.id)
        if row is None or instance is None or row.instance_id != named.id:
            outcomes.append(NotFound("command", report.command_id))
            continue
        _record(session, instance, row, report)
        outcomes.append(None)
    session.flush()
    return outcomes


def _record(session: Session, held: Instance, row: CommandRow, report: Report) -> None:
    """A result on its locked rows: a resend of a recorded one is ignored; its chunk is stored
    unless stored already; a pending command is finished and followed through."""
    chunk = report.log if report.log is not None and report.log.seq > row.log_seq else None
    pending = row.status == CommandStatus.PENDING.value
    if chunk is None and not pending:
        return
    scrubber = _scrubber(session, row)
    if chunk is not None:
        _store_chunk(session, row, chunk.seq, chunk.lines, scrubber)
    if pending:
        command_store.finish(
            session,
            row,
            report.status,
            report.exit_code,
            utcnow(),
            scrubber.json(report.report),
            flush=False,
        )
        react(session, row, held)


def _scrubber(session: Session, row: CommandRow) -> Scrubber:
    """What the server scrubs from a command's log and report before it keeps them, though
    the agent scrubbed them already: an agent of an older version may not know every kind of
    secret its configuration holds. The shared sections hold none, so they are not loaded."""
    return Scrubber(
        secure_values(command_store.configuration_for_agent(session, row, with_shared=False))
    )


#: (command, instance status, succeeded) -> the lifecycle event its result brings
_RESULT_EVENTS: dict[tuple[CommandName, InstanceStatus, bool], InstanceEvent] = {
    (CommandName.SETUP, InstanceStatus.RUNNING_SETUP, True): InstanceEvent.SETUP_SUCCEEDED,
    (CommandName.SETUP, InstanceStatus.RUNNING_SETUP, False): InstanceEvent.SETUP_FAILED,
    (CommandName.SETUP, InstanceStatus.SETUP_FAILED, True): InstanceEvent.SETUP_SUCCEEDED,
    (CommandName.SHUTDOWN, InstanceStatus.STOPPING, True): InstanceEvent.SHUTDOWN_FINISHED,
    (CommandName.SHUTDOWN, InstanceStatus.STOPPING, False): InstanceEvent.SHUTDOWN_FINISHED,
}


def react(session: Session, row: CommandRow, instance: Instance | None = None) -> None:
    """Move the instance and the deployment on after a command finished, whatever ended it;
    `instance`, the command's, if this transaction holds its row already (read once, not
    again: every result of a fleet's configure comes here)."""
    if instance is None:
        instance = instance_store.get(session, row.instance_id)
    succeeded = CommandStatus(row.status) is CommandStatus.SUCCESSFUL
    event = _RESULT_EVENTS.get((CommandName(row.type), instance.status, succeeded))
    if event is not None:
        lifecycle.fire(session, instance.id, event)
    deployments.settle_after(session, row)
