"""Polling the API until something settles, on the runtime's clock (tests' clocks do not wait)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from stackworks.cli.errors import CliError
from stackworks.cli.runtime import Runtime

T = TypeVar("T")

DEFAULT_TIMEOUT = 1800.0


class WaitTimedOut(CliError):
    """The thing waited for did not settle in time; exit 1."""


def poll(
    rt: Runtime,
    fetch: Callable[[], T],
    settled: Callable[[T], bool],
    *,
    timeout: float,
    what: str,
    on_change: Callable[[T], None] | None = None,
) -> T:
    """Fetch until `settled`, calling `on_change` with every answer; raise after `timeout` s."""
    deadline = rt.clock() + timeout
    while True:
        current = fetch()
        if on_change is not None:
            on_change(current)
        if settled(current):
            return current
        if rt.clock() >= deadline:
            raise WaitTimedOut(f"gave up waiting for {what} after {timeout:g}s")
        rt.sleep(rt.poll_interval)
