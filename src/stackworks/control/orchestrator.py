"""The orchestrator: the server's loop that makes instances real and notices what goes quiet.

Each pass (`tick`) reads, in one short transaction, which instances need provider work or have
timed out, then does the slow provider calls in a small thread pool, outside any transaction,
and records their outcome through lifecycle events. All it knows comes from the database, so a
restarted server picks up where the last one stopped.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from stackworks.control import agents, lifecycle, periodic
from stackworks.control.periodic import PeriodicPass
from stackworks.control.settings import Settings
from stackworks.control.signals import CommandSignal
from stackworks.domain.entities import Instance
from stackworks.domain.errors import Conflict
from stackworks.domain.lifecycle import InstanceEvent
from stackworks.domain.status import CommandName, CommandStatus, InstanceStatus
from stackworks.store import commands as command_store
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store import tokens
from stackworks.store.db import Database
from stackworks.store.tables import utcnow
from stackworks.wire.agent_config import AgentConfig

log = logging.getLogger("stackworks.orchestrator")


class InstanceProvider(Protocol):
    """What the orchestrator needs of a provider (see stackworks.providers.base)."""

    def start(self, instance: Instance, agent_config: AgentConfig) -> Any: ...
    def stop(self, instance: Instance) -> None: ...
    def delete(self, instance: Instance) -> None: ...
    def is_running(self, instance: Instance) -> bool: ...


_PROVIDER_WORK = (
    InstanceStatus.REQUESTED,
    InstanceStatus.PENDING,
    InstanceStatus.SHUTTING_DOWN,
    InstanceStatus.TERMINATING,
)
_WATCHED = (
    InstanceStatus.BOOTING,
    InstanceStatus.ONLINE,
    InstanceStatus.STOPPING,
    InstanceStatus.START_FAILED,
)


class Orchestrator:
    def __init__(
        self,
        db: Database,
        settings: Settings,
        providers: Mapping[str, InstanceProvider],
        signal: CommandSignal,
        *,
        clock: Callable[[], datetime] = utcnow,
        passes: Sequence[PeriodicPass] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.providers = providers
        self.signal = signal
        self.clock = clock
        self.passes = list(periodic.default_passes() if passes is None else passes)
        self._passes_ran_at: datetime | None = None
        self.started_at = clock()
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="provider")
        self._busy: set[str] = set()
        self._changed = False  # whether this pass changed any instance or command
        self._busy_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- running ----------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="orchestrator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # one bad pass must not end the loop
                log.exception("orchestrator pass failed")
            self._stop.wait(self.settings.tick)

    def tick(self, *, inline: bool = False) -> None:
        """One pass: time-outs in the database, then provider work handed to the pool.

        `inline` does the provider work in this thread before returning (for tests).
        """
        self._changed = False
        self._run_periodic_passes()
        with self.db.transaction() as session:
            self._expire(session)
            work = instance_store.list_with_status(session, _PROVIDER_WORK)
            failed = instance_store.list_with_status(session, [InstanceStatus.START_FAILED])
        if self._changed:  # wake the long-polling agents only when a pass queued or ended work
            self.signal.bump()
        for instance in work:
            self._submit(instance.id, self._provider_step, inline)
        for instance in failed:
            self._submit(instance.id, self._release_failed, inline)

    def _run_periodic_passes(self) -> None:
        """Each periodic pass in its own transaction, at most every `periodic.INTERVAL` s."""
        now = self.clock()
        last = self._passes_ran_at
        if last is not None and (now - last).total_seconds() < periodic.INTERVAL:
            return
        self._passes_ran_at = now
        for run_pass in self.passes:
            try:
                with self.db.transaction() as session:
                    self._changed |= run_pass(session, now)
            except Exception:  # one failing pass must not stop the others or the lifecycle
                log.exception("periodic pass %s failed", getattr(run_pass, "__name__", run_pass))

    def _submit(self, instance_id: str, step: Callable[[str], None], inline: bool) -> None:
        with self._busy_lock:
            if instance_id in self._busy or self._stop.is_set():
                return
            self._busy.add(instance_id)

        def run() -> None:
            try:
                step(instance_id)
            except Exception:
                log.exception("provider work on instance %s failed", instance_id)
            finally:
                with self._busy_lock:
                    self._busy.discard(instance_id)
                self.signal.bump()

        if inline:
            run()
        else:
            self._pool.submit(run)

    # --- provider work ----------------------------------------------------------------------

    def _provider_step(self, instance_id: str) -> None:
        with self.db.transaction() as session:
            instance = instance_store.get(session, instance_id)
        status = instance.status
        if status in (InstanceStatus.REQUESTED, InstanceStatus.PENDING):
            self._provision(instance)
        elif status is InstanceStatus.SHUTTING_DOWN:
            self.providers[instance.provider].stop(instance)
            with self.db.transaction() as session:
                self._fail_leftover_commands(session, instance, "the instance stopped")
                self._fire(session, instance.id, InstanceEvent.PROCESSES_ENDED)
        elif status is InstanceStatus.TERMINATING:
            self.providers[instance.provider].delete(instance)
            with self.db.transaction() as session:
                self._fire(session, instance.id, InstanceEvent.REMOVED)
                instance_store.delete(session, instance.id)

    def _provision(self, instance: Instance) -> None:
        provider = self.providers[instance.provider]
        # a fresh credential on every start, unless the agent brought its own (registered hosts)
        issues_credentials = getattr(provider, "issues_credentials", True)
        credential = tokens.new_secret("swi")
        with self.db.transaction() as session:
            if instance_store.get(session, instance.id).status is InstanceStatus.REQUESTED:
                lifecycle.fire(session, instance.id, InstanceEvent.PROVISIONING)
            if issues_credentials:
                instance_store.update_fields(
                    session, instance.id, credential_hash=tokens.hash_token(credential)
                )
        agent_config = AgentConfig(
            server_url=self.settings.server_url,
            instance_id=instance.id,
            hostname=instance.hostname,
            stack_id=instance.stack_id,
            credential=credential,
            heartbeat_interval=self._heartbeat_interval(instance.stack_id),
            poll_wait=self.settings.poll_wait,
        )
        try:
            result = provider.start(instance, agent_config)
        except Exception as error:
            log.error("could not start instance %s: %s", instance.hostname, error)
            with self.db.transaction() as session:
                self._fire(session, instance.id, InstanceEvent.PROVISION_FAILED)
            return
        with self.db.transaction() as session:
            current = instance_store.get(session, instance.id)
            if current.status is not InstanceStatus.PENDING:
                return  # stopped while starting: the stop path ends what was started
            instance_store.update_fields(
                session,
                instance.id,
                root_dir=str(getattr(result, "root_dir", None) or current.root_dir or ""),
                private_ip=getattr(result, "private_ip", None) or current.private_ip,
            )
            lifecycle.fire(session, instance.id, InstanceEvent.PROVISIONED)

    def _heartbeat_interval(self, stack_id: str) -> float:
        with self.db.transaction() as session:
            return self.settings.heartbeat_for(stack_store.get(session, stack_id)).interval

    def _release_failed(self, instance_id: str) -> None:
        with self.db.transaction() as session:
            instance = instance_store.get(session, instance_id)
        provider = self.providers[instance.provider]
        if instance.status is InstanceStatus.START_FAILED and provider.is_running(instance):
            provider.stop(instance)

    # --- time-outs --------------------------------------------------------------------------

    def _expire(self, session: Session) -> None:
        now = self.clock()
        for instance in instance_store.list_with_status(session, _WATCHED):
            since = instance.status_changed_at or now
            if instance.status is InstanceStatus.BOOTING:
                if _older(since, now, self.settings.boot_timeout):
                    log.warning("%s sent no heartbeat in time: start failed", instance.hostname)
                    self._fire(session, instance.id, InstanceEvent.BOOT_TIMED_OUT)
            elif instance.status in (InstanceStatus.ONLINE, InstanceStatus.STOPPING):
                seen = max(instance.last_heartbeat_at or since, self.started_at)
                stack = stack_store.get(session, instance.stack_id)
                if _older(seen, now, self.settings.heartbeat_for(stack).timeout):
                    log.warning("%s stopped sending heartbeats", instance.hostname)
                    self._fire(session, instance.id, InstanceEvent.HEARTBEAT_LOST)
                elif instance.status is InstanceStatus.STOPPING:
                    limit = lifecycle.shutdown_timeout(session, instance) + 5
                    if _older(max(since, self.started_at), now, limit):
                        self._fail_leftover_commands(session, instance, "shutdown timed out")
                        self._fire(session, instance.id, InstanceEvent.SHUTDOWN_FINISHED)
        self._expire_commands(session, now)

    def _expire_commands(self, session: Session, now: datetime) -> None:
        """Fail commands that ran past their timeout, or whose instance no longer runs an agent."""
        for instance in instance_store.list_with_status(session, _NO_AGENT):
            self._fail_leftover_commands(session, instance, f"the instance is {instance.status}")
        for instance in instance_store.list_with_status(session, _AGENT):
            for row in command_store.pending_for_instance(session, instance.id):
                started = row.acknowledged_at
                if started and _older(max(started, self.started_at), now, row.timeout + 30):
                    command_store.finish(
                        session, row, CommandStatus.FAILED, None, now, note="timed out"
                    )
                    agents.react(session, row)
                    self._changed = True

    def _fail_leftover_commands(self, session: Session, instance: Instance, why: str) -> None:
        for row in command_store.pending_for_instance(session, instance.id):
            if CommandName(row.type) is CommandName.CONFIGURE:
                status = CommandStatus.SKIPPED
            else:
                status = CommandStatus.FAILED
            command_store.finish(session, row, status, None, utcnow(), note=f"{status}: {why}")
            agents.react(session, row)
            self._changed = True

    def _fire(self, session: Session, instance_id: str, event: InstanceEvent) -> None:
        try:
            lifecycle.fire(session, instance_id, event)
            self._changed = True
        except Conflict as conflict:  # someone else moved it first; nothing to do
            log.info("%s", conflict.message)


_AGENT = [s for s in InstanceStatus if s.agent_running]
_NO_AGENT = [
    InstanceStatus.STOPPED,
    InstanceStatus.START_FAILED,
    InstanceStatus.SHUTTING_DOWN,
]


def _older(moment: datetime, now: datetime, seconds: float) -> bool:
    return now - moment > timedelta(seconds=seconds)
