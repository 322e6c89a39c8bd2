"""Auto-healing decisions: who is replaced, who waits (back-off, budget), who is given up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stackworks.domain.entities import Instance
from stackworks.domain.healing import (
    HealAction,
    HealCandidate,
    HealingPolicy,
    has_stabilised,
    healing_decisions,
    next_attempt_at,
)
from stackworks.domain.status import InstanceStatus as S

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = HealingPolicy(max_replacements=2, window=600, backoff=30, backoff_max=120, give_up_after=3)


def lost(
    hostname: str = "web1",
    status: S = S.CONNECTION_LOST,
    failures: int = 0,
    not_before: float | None = None,
) -> Instance:
    return Instance(
        id=f"id-{hostname}",
        stack_id="s",
        hostname=hostname,
        layers=("app",),
        status=status,
        heal_failures=failures,
        heal_not_before=None if not_before is None else NOW + timedelta(seconds=not_before),
    )


def decide(*candidates: HealCandidate, recent: int = 0) -> list[tuple[str, HealAction]]:
    found = healing_decisions(candidates, NOW, recent_replacements=recent, policy=POLICY)
    return [(d.instance.hostname, d.action) for d in found]


def candidate(
    instance: Instance, *, auto_healing: bool = True, replaceable: bool = True
) -> HealCandidate:
    return HealCandidate(instance, auto_healing=auto_healing, replaceable=replaceable)


def test_a_lost_instance_whose_layers_all_heal_is_replaced() -> None:
    assert decide(candidate(lost())) == [("web1", HealAction.REPLACE)]


@pytest.mark.parametrize(
    "item",
    [
        candidate(lost(), auto_healing=False),  # a layer has auto-healing off
        candidate(lost(), replaceable=False),  # a registered host: it comes back by itself
        candidate(lost(status=S.START_FAILED)),  # failed to start by itself, never healed
        candidate(lost(status=S.ONLINE)),
    ],
)
def test_healing_leaves_alone(item: HealCandidate) -> None:
    assert decide(item) == []


def test_a_replacement_that_failed_is_tried_again_after_its_back_off() -> None:
    waiting = lost(status=S.START_FAILED, failures=1, not_before=10)
    assert decide(candidate(waiting)) == [("web1", HealAction.WAIT)]
    due = lost(status=S.SETUP_FAILED, failures=1, not_before=-1)
    assert decide(candidate(due)) == [("web1", HealAction.REPLACE)]


def test_the_back_off_doubles_up_to_its_maximum() -> None:
    delays = [POLICY.delay_after(n) for n in range(6)]
    assert delays == [0, 30, 60, 120, 120, 120]
    assert next_attempt_at(NOW, 2, POLICY) == NOW + timedelta(seconds=60)


def test_after_too_many_replacements_in_a_row_healing_gives_up_with_the_reason() -> None:
    [decision] = healing_decisions(
        [candidate(lost(failures=3))], NOW, recent_replacements=0, policy=POLICY
    )
    assert decision.action is HealAction.GIVE_UP
    assert "replaced 3 times in a row" in decision.reason


def test_the_stack_budget_is_shared_and_the_rest_waits() -> None:
    found = decide(candidate(lost("a")), candidate(lost("b")), candidate(lost("c")))
    assert found == [("a", HealAction.REPLACE), ("b", HealAction.REPLACE), ("c", HealAction.WAIT)]
    assert decide(candidate(lost("a")), recent=2) == [("a", HealAction.WAIT)]


def test_an_instance_online_long_enough_forgets_its_failures() -> None:
    healed = Instance(
        id="i",
        stack_id="s",
        hostname="web1",
        layers=("app",),
        status=S.ONLINE,
        heal_failures=2,
        status_changed_at=NOW - timedelta(seconds=POLICY.stable_after),
    )
    assert has_stabilised(healed, NOW, POLICY)
    assert not has_stabilised(healed, NOW - timedelta(seconds=1), POLICY)
