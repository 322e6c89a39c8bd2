"""The orchestrator: the server's loop that carries out recorded provider work, notices what
goes quiet, and heals what was lost.

Each pass (`tick`) runs the periodic passes (scaling, schedules, ...), then in one short
transaction fires the time-out events that are due (`domain.timeouts.due_events`, on the
instances the store finds late: `instances.due_for_timeouts`) and the auto-healing
(`control.healing.Healer`, on the failed instances only), and reads which instances have
provider work recorded by their last transition (`Instance.pending_effect`). The slow provider
calls run in a small thread pool, outside any transaction; their outcome is fired as the
effect's outcome event (`domain.lifecycle.PROVIDER_OUTCOMES`). Everything it knows comes from
the database, so a restarted server picks up where the last one stopped.

With an `elector` (control/leadership.py) it passes only while its replica leads, and every
transaction it opens is fenced by the epoch the replica leads in; a replica that takes the lead
starts its watch afresh (`started_at`), so the heartbeats and commands the dead leader was
timing get their full time again instead of being failed for the gap of the takeover.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.orm import Session

from stackworks.control import agents, deployments, lifecycle, periodic, volumes
from stackworks.control.healing import Healer
from stackworks.control.heartbeat_pacer import HeartbeatPacer
from stackworks.control.leadership import Elector, FencedDatabase
from stackworks.control.periodic import PeriodicPass
from stackworks.control.settings import Settings
from stackworks.control.signals import CommandSignal
from stackworks.domain import healing, timeouts
from stackworks.domain.entities import Instance
from stackworks.domain.errors import Conflict
from stackworks.domain.lifecycle import PROVIDER_OUTCOMES, Effect, InstanceEvent
from stackworks.domain.status import CommandName, CommandStatus, EventKind, InstanceStatus
from stackworks.store import agent_credentials as credential_store
from stackworks.store import commands as command_store
from stackworks.store import events as event_store
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store import tokens
from stackworks.store.db import Database
from stackworks.store.leadership import LeadershipLost
from stackworks.store.tables import CommandRow, utcnow
from stackworks.wire.agent_config import AgentConfig

log = logging.getLogger("stackworks.orchestrator")

#: seconds before provider work that raised is tried again
RETRY_DELAY = 5.0
#: seconds between the passes that look for what is due (time-outs, healing, command expiry)
SCAN_EVERY = 1.0
#: seconds a started command gets beyond its own timeout before the server fails it
COMMAND_SLACK = 30.0


class InstanceProvider(Protocol):
    """What the orchestrator needs of a provider (see stackworks.providers.base)."""

    def start(self, instance: Instance, agent_config: AgentConfig) -> Any: ...
    def stop(self, instance: Instance) -> None: ...
    def delete(self, instance: Instance) -> None: ...
    def is_running(self, instance: Instance) -> bool: ...


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
        healing_policy: healing.HealingPolicy | None = None,
        elector: Elector | None = None,
    ) -> None:
        self.elector = elector
        self.db: Database | FencedDatabase = db if elector is None else FencedDatabase(db, elector)
        self.settings = settings
        self.providers = providers
        self.signal = signal
        self.clock = clock
        self.passes = list(periodic.default_passes() if passes is None else passes)
        self.healer = Healer(providers, healing_policy or healing.HealingPolicy())
        #: shared with the API's heartbeat answers (app.state.pacer): they tell the intervals,
        #: the time-outs here allow for them
        self.pacer = HeartbeatPacer(settings)
        self._passes_ran_at: datetime | None = None
        self.started_at = clock()
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="provider")
        self._busy: set[str] = set()
        self._retry_after: dict[str, float] = {}  # instance id -> monotonic time
        self._changed = False  # whether this pass changed any instance or command
        self._busy_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._led_epoch: int | None = None  # the epoch of the last pass as leader

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
        last_scan = -SCAN_EVERY
        while not self._stop.is_set():
            scan = time.monotonic() - last_scan >= SCAN_EVERY
            if scan:
                last_scan = time.monotonic()
            if self._leads():
                try:
                    self.tick(scan=scan)
                    if self.elector is not None:
                        self.elector.note_pass()
                except LeadershipLost as lost:
                    log.warning("orchestrator pass fenced off: %s", lost)
                except Exception:  # one bad pass must not end the loop
                    log.exception("orchestrator pass failed")
            self._stop.wait(self.settings.tick)

    def _leads(self) -> bool:
        """Whether to pass now; a new epoch restarts the watch (see the module docstring)."""
        if self.elector is None:
            return True
        epoch = self.elector.epoch
        if epoch is not None and epoch != self._led_epoch:
            self.started_at = self.clock()
            self._passes_ran_at = None
            with self._busy_lock:
                self._retry_after.clear()
        self._led_epoch = epoch
        return epoch is not None

    def tick(self, *, inline: bool = False, scan: bool = True) -> None:
        """One pass: periodic passes, time-outs and healing, then recorded provider work.

        `inline` does the provider work in this thread before returning (for tests). `scan`
        False skips the passes that look at every instance (time-outs, healing, command
        expiry): the loop runs those every SCAN_EVERY seconds, not every tick, since with
        thousands of instances they held the GIL most of the time (bench/agents_bench.py).
        """
        self._changed = False
        self._run_periodic_passes()
        now = self.clock()
        with self.db.transaction() as session:
            if scan:
                self._fire_due_events(session, now)
                self._changed |= self.healer.heal(session, now)
                self._expire_commands(session, now)
                self._changed |= deployments.settle_overlooked(session)
            work = instance_store.with_pending_effects(session)
        if self._changed:  # wake the long-polling agents only when a pass queued or ended work
            self.signal.bump()
        for instance in work:
            self._submit(instance.id, inline)

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
            except LeadershipLost:
                raise  # the whole pass stops, not just this part of it
            except Exception:  # one failing pass must not stop the others or the lifecycle
                log.exception("periodic pass %s failed", getattr(run_pass, "__name__", run_pass))

    def _submit(self, instance_id: str, inline: bool) -> None:
        with self._busy_lock:
            if instance_id in self._busy or self._stop.is_set():
                return
            if self._retry_after.get(instance_id, 0.0) > time.monotonic():
                return
            self._busy.add(instance_id)

        def run() -> None:
            try:
                self._carry_out(instance_id)
            except LeadershipLost as lost:  # the new leader carries it out again
                log.warning("provider work on instance %s fenced off: %s", instance_id, lost)
            except Exception:
                log.exception("provider work on instance %s failed", instance_id)
                with self._busy_lock:
                    self._retry_after[instance_id] = time.monotonic() + RETRY_DELAY
            finally:
                with self._busy_lock:
                    self._busy.discard(instance_id)
                self.signal.bump()

        if inline:
            run()
        else:
            self._pool.submit(run)

    # --- provider work ----------------------------------------------------------------------

    def _carry_out(self, instance_id: str) -> None:
        """Do the provider work the instance's last transition recorded, then fire its outcome."""
        with self.db.transaction() as session:
            instance = instance_store.get(session, instance_id)
            if instance.pending_effect is None:
                return
            effect = Effect(instance.pending_effect)
            if instance.status is InstanceStatus.REQUESTED:  # OpsWorks' requested -> pending
                instance = lifecycle.fire(session, instance.id, InstanceEvent.PROVISIONING)
        provider = self.providers[instance.provider]
        succeeded, _ = PROVIDER_OUTCOMES[effect]  # release and remove end one way
        if effect in (Effect.PROVISION, Effect.REPLACE):
            self._start(provider, instance, replace=effect is Effect.REPLACE)
            return
        if effect is Effect.RELEASE:
            provider.stop(instance)
        else:
            provider.delete(instance)
        with self.db.transaction() as session:
            if not instance_store.finish_effect(session, instance.id, instance.effect_seq):
                return  # a newer transition recorded other work; that work decides
            self._fail_leftover_commands(session, instance, f"the instance is {instance.status}")
            self._fire(session, instance.id, succeeded)
            if effect is Effect.REMOVE:
                instance_store.delete(session, instance.id)

    def _start(self, provider: InstanceProvider, instance: Instance, *, replace: bool) -> None:
        """Start (or replace) the instance's processes with a fresh agent credential."""
        # a fresh credential on every start, unless the agent brought its own (registered hosts)
        issues_credentials = getattr(provider, "issues_credentials", True)
        credential = tokens.new_secret("swi")
        with self.db.transaction() as session:
            # a volume configuration added since it last ran gets its volume before setup
            volumes.ensure_layer_volumes(session, instance, self.settings.data_dir)
            if replace:
                self._fail_leftover_commands(session, instance, "the instance is being replaced")
            if issues_credentials:
                # replaces every earlier credential and ends any rotation under way
                credential_store.replace(session, instance.id, tokens.hash_token(credential))
            beat = self.settings.heartbeat_for(stack_store.get(session, instance.stack_id))
        agent_config = AgentConfig(
            server_url=self.settings.server_url,
            instance_id=instance.id,
            hostname=instance.hostname,
            stack_id=instance.stack_id,
            credential=credential,
            heartbeat_interval=beat.interval,
            poll_wait=self.settings.poll_wait,
            ca_file=self.settings.agent_ca_file,
        )
        try:
            if replace:
                provider.stop(instance)  # whatever is left of the old processes goes first
            result = provider.start(instance, agent_config)
        except Exception as error:
            log.error("could not start instance %s: %s", instance.hostname, error)
            with self.db.transaction() as session:
                if instance_store.finish_effect(session, instance.id, instance.effect_seq):
                    self._fire(session, instance.id, InstanceEvent.PROVISION_FAILED, str(error))
                    event_store.record(
                        session,
                        instance.stack_id,
                        EventKind.LIFECYCLE,
                        f"{instance.hostname} could not start: {error}",
                        instance=instance,
                    )
            return
        with self.db.transaction() as session:
            if not instance_store.finish_effect(session, instance.id, instance.effect_seq):
                return  # stopped while starting: the recorded release ends what was started
            current = instance_store.get(session, instance.id)
            instance_store.update_fields(
                session,
                instance.id,
                root_dir=str(getattr(result, "root_dir", None) or current.root_dir or ""),
                private_ip=getattr(result, "private_ip", None) or current.private_ip,
            )
            self._fire(session, instance.id, InstanceEvent.PROVISIONED)

    # --- time-outs and healing --------------------------------------------------------------

    def _fire_due_events(self, session: Session, now: datetime) -> None:
        """Fire the time-outs due now: boot, heartbeat and shutdown (domain/timeouts.py).

        The store is asked only for the instances late by their stack's limits (a few of
        thousands online, bench/agents_bench.py); `timeouts.due_events` still decides on each
        one, so what fires is what a look at every watched instance would fire."""
        stretch = self.pacer.timeout_factor(session)  # a large fleet beats less often
        stacks = {
            stack_id: self.settings.heartbeat_from(*own).timeout * stretch
            for stack_id, own in stack_store.heartbeat_settings(session).items()
        }
        silent_since: dict[datetime, list[str]] = {}
        for stack_id, timeout in stacks.items():
            silent_since.setdefault(now - timedelta(seconds=timeout), []).append(stack_id)
        late = instance_store.due_for_timeouts(
            session,
            booting_since=now - timedelta(seconds=self.settings.boot_timeout),
            silent_since=silent_since,
        )
        items = []
        for instance in late:
            shutdown = (
                lifecycle.shutdown_timeout(session, instance)
                if instance.status is InstanceStatus.STOPPING
                else 0
            )
            items.append(timeouts.Watched(instance, stacks[instance.stack_id], shutdown))
        due = timeouts.due_events(
            items, now, boot_timeout=self.settings.boot_timeout, watching_since=self.started_at
        )
        # all their rows first, in id order (instance_store.lock_in_order): a lost heartbeat
        # takes its instance out of online, and that fan-out must not hold the others'
        # configures while the next one's row is waited for
        instance_store.lock_in_order(session, [item.instance.id for item in due])
        for item in due:
            instance = item.instance
            log.warning("%s: %s", instance.hostname, item.reason)
            if item.event is InstanceEvent.SHUTDOWN_FINISHED:
                self._fail_leftover_commands(session, instance, "shutdown timed out")
            if not self._fire(session, instance.id, item.event, item.reason):
                continue
            message = f"{instance.hostname} {_EVENT_VERBS[item.event]}: {item.reason}"
            if item.event is InstanceEvent.HEARTBEAT_LOST:
                message += self.healer.outlook(session, instance)
            event_store.record(
                session, instance.stack_id, EventKind.LIFECYCLE, message, instance=instance
            )

    # --- commands ---------------------------------------------------------------------------

    def _expire_commands(self, session: Session, now: datetime) -> None:
        """Fail commands that ran past their timeout, or whose instance no longer runs an agent.

        One query finds what is due for the whole server, not one per instance (thousands of
        them: bench/agents_bench.py). Rows are locked only where something is due, as every
        writer locks them, the instance first and then its commands (agents.complete does the
        same), and every such instance before any command: a pass over thousands of instances
        must not hold their rows against their heartbeats."""
        leftover = command_store.pending_on_instances_with_status(session, _NO_AGENT)
        gone = dict.fromkeys(row.instance_id for row in leftover)
        # a command is due only past its timeout plus the slack, so one started within the
        # slack is not even read (a fan-out's thousand configures, most of the time)
        running = command_store.pending_on_instances_with_status(
            session,
            _AGENT,
            acknowledged=True,
            acknowledged_before=now - timedelta(seconds=COMMAND_SLACK),
        )
        due = dict.fromkeys(row.instance_id for row in running if self._timed_out(row, now))
        # all their rows first, in id order (instance_store.lock_in_order): a command finished
        # here settles its deployment, whose row a result on the next instance may be waiting
        # for while it holds that instance's row
        held = instance_store.lock_in_order(session, [*gone, *due])
        for instance_id in gone:
            instance = held.get(instance_id)
            if instance is not None and instance.status in _NO_AGENT:  # not restarted since
                why = f"the instance is {instance.status}"
                self._fail_leftover_commands(session, instance, why)
        for instance_id in due:
            # a command whose result was recorded meanwhile is pending no more; one another
            # transaction holds right now is left to it
            for row in command_store.pending_for_instance(session, instance_id, skip_locked=True):
                if self._timed_out(row, now):
                    command_store.finish(
                        session, row, CommandStatus.FAILED, None, now, note="timed out"
                    )
                    agents.react(session, row)
                    self._changed = True

    def _timed_out(self, row: CommandRow | command_store.PendingCommand, now: datetime) -> bool:
        started = row.acknowledged_at
        return bool(
            started and _older(max(started, self.started_at), now, row.timeout + COMMAND_SLACK)
        )

    def _fail_leftover_commands(self, session: Session, instance: Instance, why: str) -> None:
        if not command_store.pending_for_instance(session, instance.id):
            return
        instance_store.get(session, instance.id, lock=True)  # the instance, then its commands
        for row in command_store.pending_for_instance(session, instance.id, lock=True):
            if CommandName(row.type) is CommandName.CONFIGURE:
                status = CommandStatus.SKIPPED
            else:
                status = CommandStatus.FAILED
            command_store.finish(session, row, status, None, utcnow(), note=f"{status}: {why}")
            agents.react(session, row)
            self._changed = True

    def _fire(
        self, session: Session, instance_id: str, event: InstanceEvent, reason: str = ""
    ) -> bool:
        """Fire `event`; False when someone else moved the instance first (nothing to do)."""
        try:
            lifecycle.fire(session, instance_id, event, reason)
        except Conflict as conflict:
            log.info("%s", conflict.message)
            return False
        self._changed = True
        return True


_EVENT_VERBS = {
    InstanceEvent.BOOT_TIMED_OUT: "failed to start",
    InstanceEvent.HEARTBEAT_LOST: "lost its connection",
    InstanceEvent.SHUTDOWN_FINISHED: "was stopped anyway",
}

_AGENT = [s for s in InstanceStatus if s.agent_running]
_NO_AGENT = [
    InstanceStatus.STOPPED,
    InstanceStatus.START_FAILED,
    InstanceStatus.SHUTTING_DOWN,
]


def _older(moment: datetime, now: datetime, seconds: float) -> bool:
    return now - moment > timedelta(seconds=seconds)
