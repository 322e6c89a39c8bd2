"""What to do to a service, given what is asked and what is: written once for every manager.

`decide()` is pure: supervisor and systemd providers only gather `ServiceState` and carry out
the steps it returns. Steps: write (the definition differs), enable, disable, start, stop,
restart, reload.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ACTIONS = ("start", "stop", "restart", "reload", "enable", "disable", "nothing")


@dataclass(frozen=True)
class ServiceState:
    defined: bool  # a definition (unit file, program section) exists
    current: bool  # ... and equals the one wanted
    enabled: bool  # starts with the machine / the supervisord
    running: bool


def decide(actions: Sequence[str], state: ServiceState, *, has_definition: bool) -> list[str]:
    """The steps that take `state` to what `actions` ask for, in the order asked.

    A definition that changed while the service runs means a restart (once), unless the
    actions stop it anyway; a reload asked for at the same time becomes that restart.
    """
    steps: list[str] = []
    if has_definition and not state.current and "disable" not in actions:
        steps.append("write")
    running = state.running
    enabled = state.enabled or ("write" in steps and state.defined and state.enabled)
    restart_due = "write" in steps and state.defined and state.running
    for action in actions:
        if action == "enable" and not enabled:
            steps.append("enable")
            enabled = True
        elif action == "disable" and enabled:
            steps.append("disable")
            enabled = False
        elif action == "start":
            if not running:
                steps.append("start")
            elif restart_due:
                steps.append("restart")
            running, restart_due = True, False
        elif action == "stop":
            if running:
                steps.append("stop")
            running, restart_due = False, False
        elif action == "restart":
            steps.append("restart" if running else "start")
            running, restart_due = True, False
        elif action == "reload" and running:
            steps.append("restart" if restart_due else "reload")
            restart_due = False
    if restart_due and running:
        steps.append("restart")
    return steps
