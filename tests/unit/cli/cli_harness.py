"""Run the CLI in-process on a fixed-width colourless console, with a clock that never waits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from fake_api import TOKEN, FakeApi
from rich.console import Console
from typer.testing import CliRunner, Result

from stackworks.cli.main import app
from stackworks.cli.runtime import Runtime

LOGGED_IN = {"STACKWORKS_URL": "http://stackworks.test", "STACKWORKS_TOKEN": TOKEN}


class Invoke(Protocol):
    def __call__(self, *args: str, env: Mapping[str, str] | None = None) -> Result: ...


def make_runtime(api: FakeApi, env: Mapping[str, str] | None = None) -> Runtime:
    return Runtime(
        transport=api.transport(),
        console=Console(width=200, color_system=None, force_terminal=False),
        env=dict(LOGGED_IN if env is None else env),
        poll_interval=0.0,
        sleep=lambda _seconds: None,
    )


def make_invoke(api: FakeApi) -> Invoke:
    """`cli("stack", "list", env=...)` gives exit code, stdout and stderr apart."""

    def invoke(*args: str, env: Mapping[str, str] | None = None) -> Result:
        return CliRunner().invoke(app, list(args), obj=make_runtime(api, env))

    return invoke
