"""Slots: each instance's fixed moment in a period, and the wait until it."""

from __future__ import annotations

import random

import pytest

from stackworks.domain.beat_slots import LEAST_SHARE, slot_of, until_slot


def test_an_instance_has_the_same_slot_every_time_and_slots_differ_between_instances() -> None:
    assert slot_of("i-abc") == slot_of("i-abc")
    slots = {slot_of(f"i-{n}") for n in range(100)}
    assert len(slots) == 100
    assert all(0.0 <= slot < 1.0 for slot in slots)


def test_a_thousand_ids_spread_over_the_period_about_evenly() -> None:
    slots = [slot_of(f"inst-{n:05d}") for n in range(1000)]
    tenths = [sum(1 for s in slots if k / 10 <= s < (k + 1) / 10) for k in range(10)]
    assert min(tenths) > 60 and max(tenths) < 140  # 100 each when even


def test_the_wait_reaches_the_slot_and_never_exceeds_the_period() -> None:
    period = 50.0
    rng = random.Random(7)
    for _ in range(1000):
        slot, now = rng.random(), rng.uniform(1.7e9, 1.8e9)
        gap = until_slot(slot, period, now)
        assert LEAST_SHARE * period <= gap <= period
        if gap < period:  # it lands on the slot
            assert ((now + gap) % period) == pytest.approx(slot * period, abs=1e-6)


def test_a_slot_a_moment_away_waits_a_whole_period_instead() -> None:
    period, slot = 10.0, 0.5  # the slot is 5 s into every 10 s
    assert until_slot(slot, period, now=1004.8) == period  # 0.2 s away: less than a tenth
    assert until_slot(slot, period, now=1003.5) == pytest.approx(1.5)
    assert until_slot(slot, period, now=1005.01) == pytest.approx(9.99)  # just passed


def test_agents_in_step_spread_after_one_answer_each() -> None:
    """5,000 agents answered within one second of each other, each then calling at its gap:
    their next calls spread over the period, where without slots they stay within a second."""
    period = 50.0
    answered = [1_000.0 + n / 5000 for n in range(5000)]
    next_calls = [t + until_slot(slot_of(f"i-{n}"), period, t) for n, t in enumerate(answered)]
    per_5s = [sum(1 for t in next_calls if k * 5 <= (t % period) < (k + 1) * 5) for k in range(10)]
    assert max(per_5s) < 700  # 500 each when even; all 5,000 in one before


def test_no_period_means_no_wait() -> None:
    assert until_slot(0.3, 0.0, now=123.0) == 0.0
