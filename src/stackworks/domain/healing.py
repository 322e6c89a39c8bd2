"""Auto-healing as a pure function: which failed instances to replace now, and which to give up.

OpsWorks replaced an instance whose agent stopped calling when every layer it belonged to had
auto-healing on. Stackworks does the same, with two guards OpsWorks left to its users:

- a per-stack budget: at most `max_replacements` in any `window` seconds, so a stack-wide
  outage (the server's network, a bad deploy) is not met by replacing everything at once;
- a back-off per instance: each replacement in a row waits longer before the next one
  (`backoff`, doubling up to `backoff_max`); after `give_up_after` replacements that did not
  last `stable_after` seconds online, healing gives up and the instance ends `start_failed`,
  with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from stackworks.domain.entities import Instance
from stackworks.domain.status import InstanceStatus


@dataclass(frozen=True)
class HealingPolicy:
    max_replacements: int = 5  # per stack, in any `window`
    window: float = 600.0  # seconds
    backoff: float = 30.0  # seconds before a second replacement in a row; doubles after that
    backoff_max: float = 480.0
    give_up_after: int = 5  # replacements in a row that did not stay online
    stable_after: float = 600.0  # seconds online after which the count starts again

    def delay_after(self, replacements_in_a_row: int) -> float:
        """Seconds to wait before the next replacement, after `replacements_in_a_row`."""
        if replacements_in_a_row <= 0:
            return 0.0
        return float(min(self.backoff * 2.0 ** (replacements_in_a_row - 1), self.backoff_max))


class HealAction(StrEnum):
    REPLACE = "replace"
    GIVE_UP = "give_up"  # a lost one ends start_failed; a failed one stays as it is
    WAIT = "wait"  # for the back-off or the stack's budget; the reason says which


@dataclass(frozen=True)
class HealCandidate:
    """A failed instance, and whether healing applies to it at all."""

    instance: Instance
    auto_healing: bool  # every one of its layers has auto-healing on
    replaceable: bool  # its provider can start it again (a registered host cannot)


@dataclass(frozen=True)
class HealDecision:
    instance: Instance
    action: HealAction
    reason: str


#: a replacement that fails leaves the instance in one of these; healing tries it again
_RETRIED = (InstanceStatus.START_FAILED, InstanceStatus.SETUP_FAILED)


def healing_decisions(
    candidates: Iterable[HealCandidate],
    now: datetime,
    *,
    recent_replacements: int,
    policy: HealingPolicy,
) -> list[HealDecision]:
    """What to do with each candidate at `now`; `recent_replacements` is the stack's count in
    the last `policy.window` seconds (the budget is shared by the candidates of one stack)."""
    decisions: list[HealDecision] = []
    used = recent_replacements
    for candidate in candidates:
        instance = candidate.instance
        lost = instance.status is InstanceStatus.CONNECTION_LOST
        retry = instance.status in _RETRIED and instance.heal_failures > 0
        if not (lost or retry) or not candidate.auto_healing or not candidate.replaceable:
            continue
        if instance.heal_failures >= policy.give_up_after:
            reason = (
                f"auto-healing gave up: replaced {instance.heal_failures} times in a row "
                f"and it never stayed online {policy.stable_after:g} s"
            )
            decisions.append(HealDecision(instance, HealAction.GIVE_UP, reason))
            continue
        if instance.heal_not_before is not None and now < instance.heal_not_before:
            reason = (
                "auto-healing backs off: the next replacement waits until "
                f"{instance.heal_not_before:%H:%M:%S} UTC"
            )
            decisions.append(HealDecision(instance, HealAction.WAIT, reason))
            continue
        if used >= policy.max_replacements:
            reason = (
                f"auto-healing waits: the stack had {used} replacements in the last "
                f"{policy.window:g} s (at most {policy.max_replacements})"
            )
            decisions.append(HealDecision(instance, HealAction.WAIT, reason))
            continue
        used += 1
        what = "lost" if lost else instance.status.value
        attempt = instance.heal_failures + 1
        reason = f"auto-healing replaces it ({what}; replacement {attempt} in a row)"
        decisions.append(HealDecision(instance, HealAction.REPLACE, reason))
    return decisions


def next_attempt_at(now: datetime, replacements_in_a_row: int, policy: HealingPolicy) -> datetime:
    """When the replacement after `replacements_in_a_row` may start at the earliest."""
    return now + timedelta(seconds=policy.delay_after(replacements_in_a_row))


def has_stabilised(instance: Instance, now: datetime, policy: HealingPolicy) -> bool:
    """Whether a healed instance has stayed online long enough to forget its failures."""
    since = instance.status_changed_at
    return (
        instance.heal_failures > 0
        and instance.status is InstanceStatus.ONLINE
        and since is not None
        and (now - since).total_seconds() >= policy.stable_after
    )
