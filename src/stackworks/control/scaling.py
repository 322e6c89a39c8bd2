"""The periodic passes of time- and load-based instances, and of the metrics history.

Each pass decides from the database alone with the pure functions of `domain.schedules` and
`domain.load_scaling`, acts through `control.instances.start_instance/stop_instance` (so the
lifecycle stays the only place a status changes) and records a stack event, with its reason,
for every start and stop it causes. `now` comes from the orchestrator's clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from stackworks.control import instances as instance_control
from stackworks.domain.entities import Instance
from stackworks.domain.errors import Conflict
from stackworks.domain.load_scaling import SAMPLE_MAX_AGE, Sample, load_decision
from stackworks.domain.schedules import schedule_actions
from stackworks.domain.status import EventKind, InstanceStatus
from stackworks.store import events
from stackworks.store import instances as instance_store
from stackworks.store import load_scaling as load_scaling_store
from stackworks.store import metrics as metric_store
from stackworks.store import schedules as schedule_store

log = logging.getLogger("stackworks.scaling")

#: the layer's instances' recent samples, by instance id: the heartbeats' history by default
MetricsSource = Callable[[Session, list[Instance], datetime], Mapping[str, list[Sample]]]

#: how often the retention pass compacts (it reads and writes many rows)
RETENTION_INTERVAL = timedelta(minutes=1)


def stored_samples(
    session: Session, instances: list[Instance], now: datetime
) -> dict[str, list[Sample]]:
    """Each instance's newest heartbeat sample of the last SAMPLE_MAX_AGE."""
    return metric_store.latest(
        session, [i.id for i in instances], since=now - SAMPLE_MAX_AGE, until=now
    )


def _act(session: Session, instance: Instance, start: bool) -> bool:
    """Start or stop through the control plane; False when its status changed under us."""
    try:
        if start:
            instance_control.start_instance(session, instance)
        else:
            instance_control.stop_instance(session, instance)
    except Conflict as conflict:
        log.info("%s", conflict.message)
        return False
    return True


def schedule_pass(session: Session, now: datetime) -> bool:
    """Start time-based instances whose hour is on, stop those whose hour is off."""
    found = schedule_store.time_based(session)
    schedules = {instance.id: schedule for instance, schedule in found}
    changed = False
    actions = schedule_actions([i for i, _ in found], schedules, now)
    # all their rows first, in id order (instance_store.lock_in_order: a stop's fan-out must
    # not hold the others' configures while it waits for the next row); each may have moved
    # since it was read: act on its current status
    held = instance_store.lock_in_order(session, [a.instance.id for a in actions])
    for action in actions:
        instance = held.get(action.instance.id)
        if (
            instance is None
            or instance.status is not action.instance.status
            or not _act(session, instance, action.start)
        ):
            continue
        verb = "started" if action.start else "stopped"
        events.record(
            session,
            instance.stack_id,
            EventKind.SCHEDULE,
            f"{verb} {instance.hostname}: {action.reason}",
            instance=instance,
            details={"action": "start" if action.start else "stop", "at": now.isoformat()},
        )
        changed = True
    return changed


def load_scaling_pass(
    session: Session, now: datetime, *, source: MetricsSource = stored_samples
) -> bool:
    """Start or stop each enabled layer's load-based instances as its average load asks."""
    changed = False
    for layer, config, state in load_scaling_store.enabled(session):
        members = [
            i
            for i in instance_store.list_for_stack(session, layer.stack_id)
            if layer.shortname in i.layers
        ]
        online = [i for i in members if i.status is InstanceStatus.ONLINE]
        decision = load_decision(config, state, source(session, online, now), members, now)
        acted: list[tuple[Instance, bool]] = []
        # the rows of those it moves first, in id order (as schedule_pass)
        instance_store.lock_in_order(session, [i.id for i in (*decision.start, *decision.stop)])
        for instance in decision.start:
            if _act(session, instance, True):
                acted.append((instance, True))
        for instance in decision.stop:
            if _act(session, instance, False):
                acted.append((instance, False))
        for instance, start in acted:
            verb = "started" if start else "stopped"
            direction = "up" if start else "down"
            events.record(
                session,
                layer.stack_id,
                EventKind.SCALING,
                f"layer {layer.shortname} scaled {direction}: {verb} {instance.hostname}: "
                f"{decision.reason}",
                instance=instance,
                details={
                    "layer": layer.shortname,
                    "action": "start" if start else "stop",
                    "averages": dict(decision.averages),
                    "at": now.isoformat(),
                },
            )
        if decision.state != state:
            load_scaling_store.save_state(session, layer.id, decision.state)
        changed |= bool(acted)
    return changed


def metrics_retention_pass(session: Session, now: datetime) -> bool:
    """Compact raw samples past a day into minutes; drop minutes past two weeks.

    Only the history changes, never an instance or a command: it reports no change, so it
    never wakes the agents.
    """
    metric_store.compact(session, now)
    return False


class Throttled:
    """A pass run at most once per `interval` of the clock it is given (first call: runs)."""

    def __init__(self, run: Callable[[Session, datetime], bool], interval: timedelta) -> None:
        self.run = run
        self.interval = interval
        self.__name__ = getattr(run, "__name__", "throttled")
        self._last: datetime | None = None

    def __call__(self, session: Session, now: datetime) -> bool:
        if self._last is not None and self._last <= now < self._last + self.interval:
            return False
        self._last = now
        return self.run(session, now)
