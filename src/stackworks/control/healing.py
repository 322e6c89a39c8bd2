"""Auto-healing, carried out: each orchestrator pass asks `domain.healing` what to do with the
failed instances of every stack and does it through the lifecycle.

A replacement is the lifecycle's `heal` event (its `replace` effect is then carried out by the
orchestrator like any other provider work); waiting and giving up only change the instance's
status reason; every replacement and every give-up is a stack event with its reason.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from stackworks.control import lifecycle
from stackworks.domain import healing
from stackworks.domain.entities import Instance, Layer
from stackworks.domain.errors import Conflict
from stackworks.domain.lifecycle import InstanceEvent
from stackworks.domain.status import EventKind, InstanceStatus
from stackworks.store import events as event_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store

log = logging.getLogger("stackworks.healing")

#: a replacement that fails leaves the instance in one of these; with connection_lost, they are
#: the statuses healing looks at
_FAILED = (InstanceStatus.CONNECTION_LOST, InstanceStatus.START_FAILED, InstanceStatus.SETUP_FAILED)


class Healer:
    """Heals the failed instances of every stack, within `policy`."""

    def __init__(self, providers: Mapping[str, Any], policy: healing.HealingPolicy) -> None:
        self.providers = providers
        self.policy = policy

    def heal(self, session: Session, now: datetime) -> bool:
        """One pass over every stack's failed instances; whether anything moved."""
        for instance in instance_store.list_with_heal_failures(session, [InstanceStatus.ONLINE]):
            if healing.has_stabilised(instance, now, self.policy):
                instance_store.update_fields(
                    session, instance.id, heal_failures=0, heal_not_before=None
                )
        by_stack: dict[str, list[healing.HealCandidate]] = {}
        for instance in instance_store.list_with_status(session, _FAILED):
            layers = layers_of(session, instance)
            by_stack.setdefault(instance.stack_id, []).append(
                healing.HealCandidate(
                    instance,
                    auto_healing=bool(layers) and all(layer.auto_healing for layer in layers),
                    replaceable=self.replaceable(instance),
                )
            )
        changed = False
        for stack_id, candidates in by_stack.items():
            decisions = healing.healing_decisions(
                candidates,
                now,
                recent_replacements=self._recent_replacements(session, stack_id, now),
                policy=self.policy,
            )
            for decision in decisions:
                changed |= self._carry_out(session, decision, now)
        return changed

    def outlook(self, session: Session, instance: Instance) -> str:
        """What will happen to a lost instance, for the event that says it was lost."""
        off = [layer.shortname for layer in layers_of(session, instance) if not layer.auto_healing]
        if off:
            return f"; not replaced: auto-healing is off on layer {', '.join(off)}"
        if not self.replaceable(instance):
            return "; it comes back when its agent calls again (the server cannot restart it)"
        return ""

    def replaceable(self, instance: Instance) -> bool:
        """Whether the instance's provider can start it again (a registered host: no)."""
        provider = self.providers.get(instance.provider)
        return provider is not None and getattr(provider, "replaceable", True)

    def _recent_replacements(self, session: Session, stack_id: str, now: datetime) -> int:
        since = now - timedelta(seconds=self.policy.window)
        return sum(
            1
            for e in event_store.list_for_stack(
                session, stack_id, kinds=[EventKind.HEALING], limit=1000
            )
            if e.at >= since and e.details.get("action") == healing.HealAction.REPLACE
        )

    def _carry_out(self, session: Session, decision: healing.HealDecision, now: datetime) -> bool:
        instance = decision.instance
        lost = instance.status is InstanceStatus.CONNECTION_LOST
        if decision.action is healing.HealAction.WAIT or (
            decision.action is healing.HealAction.GIVE_UP and not lost
        ):
            if instance.status_reason == decision.reason:
                return False  # said already
            instance_store.set_reason(session, instance.id, decision.reason)
            if decision.action is healing.HealAction.WAIT:
                return False
        else:
            event = (
                InstanceEvent.HEAL
                if decision.action is healing.HealAction.REPLACE
                else InstanceEvent.GIVE_UP
            )
            try:
                lifecycle.fire(session, instance.id, event, decision.reason)
            except Conflict as conflict:  # moved by someone else first
                log.info("%s", conflict.message)
                return False
        details: dict[str, Any] = {"action": decision.action.value}
        if decision.action is healing.HealAction.REPLACE:
            attempts = instance.heal_failures + 1
            details["attempt"] = attempts
            instance_store.update_fields(
                session,
                instance.id,
                heal_failures=attempts,
                heal_not_before=healing.next_attempt_at(now, attempts, self.policy),
            )
        log.warning("%s: %s", instance.hostname, decision.reason)
        event_store.record(
            session,
            instance.stack_id,
            EventKind.HEALING,
            f"{instance.hostname}: {decision.reason}",
            instance=instance,
            details=details,
        )
        return True


def layers_of(session: Session, instance: Instance) -> list[Layer]:
    return [
        layer
        for layer in layer_store.list_for_stack(session, instance.stack_id)
        if layer.shortname in instance.layers
    ]
