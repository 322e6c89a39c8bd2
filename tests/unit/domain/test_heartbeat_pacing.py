"""How much a fleet's heartbeats are stretched to stay within what one server takes."""

from __future__ import annotations

import pytest

from stackworks.domain.heartbeat_pacing import (
    MAX_FACTOR,
    MAX_POLL_WAIT,
    asked_rate,
    poll_wait_for,
    stretch_factor,
)


def test_the_asked_rate_adds_each_stacks_agents_over_its_own_interval() -> None:
    assert asked_rate([(1000, 5.0), (300, 30.0)]) == pytest.approx(210.0)
    assert asked_rate([]) == 0.0


def test_a_stack_without_an_interval_asks_for_nothing_rather_than_dividing_by_zero() -> None:
    assert asked_rate([(10, 0.0), (10, 5.0)]) == pytest.approx(2.0)


def test_a_fleet_within_the_cap_is_not_stretched() -> None:
    assert stretch_factor(99.0, 100.0) == 1.0
    assert stretch_factor(100.0, 100.0) == 1.0


def test_a_fleet_over_the_cap_is_stretched_by_the_ratio_so_it_beats_at_the_cap() -> None:
    factor = stretch_factor(asked_rate([(5000, 5.0)]), 100.0)
    assert factor == pytest.approx(10.0)
    assert 5000 / (5.0 * factor) == pytest.approx(100.0)


def test_no_cap_means_no_stretch_and_the_stretch_itself_is_capped() -> None:
    assert stretch_factor(10_000.0, 0.0) == 1.0
    assert stretch_factor(1e9, 1.0) == MAX_FACTOR


def test_a_paced_fleet_holds_its_polls_longer_up_to_the_longest_wait() -> None:
    assert poll_wait_for(1.0) is None
    assert poll_wait_for(1.5) == 30.0
    assert poll_wait_for(10.0) == MAX_POLL_WAIT
