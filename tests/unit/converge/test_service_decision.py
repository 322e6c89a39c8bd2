"""The one start/stop/restart/reload decision both service providers follow."""

from __future__ import annotations

import pytest

from stackworks.converge.providers.service_decision import ServiceState, decide

NEW = ServiceState(defined=False, current=False, enabled=False, running=False)
RUNNING = ServiceState(defined=True, current=True, enabled=True, running=True)
STOPPED = ServiceState(defined=True, current=True, enabled=True, running=False)
CHANGED_RUNNING = ServiceState(defined=True, current=False, enabled=True, running=True)
CHANGED_STOPPED = ServiceState(defined=True, current=False, enabled=True, running=False)


@pytest.mark.parametrize(
    ("actions", "state", "expected"),
    [
        (("enable", "start"), NEW, ["write", "enable", "start"]),
        (("enable", "start"), RUNNING, []),
        (("enable", "start"), STOPPED, ["start"]),
        (("enable", "start"), CHANGED_RUNNING, ["write", "restart"]),
        (("enable", "start"), CHANGED_STOPPED, ["write", "start"]),
        (("enable",), CHANGED_RUNNING, ["write", "restart"]),
        (("stop",), RUNNING, ["stop"]),
        (("stop",), STOPPED, []),
        (("stop",), CHANGED_RUNNING, ["write", "stop"]),
        (("stop", "disable"), RUNNING, ["stop", "disable"]),
        (("restart",), RUNNING, ["restart"]),
        (("restart",), STOPPED, ["start"]),
        (("reload",), RUNNING, ["reload"]),
        (("reload",), STOPPED, []),
        (("reload",), CHANGED_RUNNING, ["write", "restart"]),
        (("nothing",), RUNNING, []),
    ],
)
def test_decision_table(actions: tuple[str, ...], state: ServiceState, expected: list[str]) -> None:
    assert decide(actions, state, has_definition=True) == expected


def test_without_a_definition_nothing_is_written() -> None:
    assert decide(("stop", "disable"), RUNNING, has_definition=False) == ["stop", "disable"]
    assert decide(("start",), CHANGED_STOPPED, has_definition=False) == ["start"]
