"""How `deploy --wait` shows a deployment while it runs.

On a terminal: a Rich live table, one row per instance, redrawn on every poll. Elsewhere (a pipe,
a CI log): one plain line each time an instance's command changes status, so logs stay readable.
With --json nothing is shown until the final answer.
"""

from __future__ import annotations

from types import TracebackType

from rich.live import Live
from rich.table import Table

from stackworks.cli.output import Output, build_table, status_text
from stackworks.wire.schemas import CommandOut, DeploymentOut


def commands_table(deployment: DeploymentOut) -> Table:
    return build_table(
        f"deployment {deployment.id}: {deployment.command.name.value} ({deployment.status.value})",
        ["instance", "status", "exit code", "started", "completed", "reason"],
        [
            (
                c.instance,
                status_text(c.status.value),
                c.exit_code,
                c.acknowledged_at,
                c.completed_at,
                c.reason,
            )
            for c in deployment.commands
        ],
    )


class DeploymentProgress:
    """A context manager fed every polled `DeploymentOut` through `update`."""

    def __init__(self, output: Output, *, quiet: bool = False) -> None:
        self._output = output
        self._quiet = quiet
        self._live: Live | None = None
        self._seen: dict[str, str] = {}

    def __enter__(self) -> DeploymentProgress:
        if not self._quiet and self._output.console.is_terminal:
            self._live = Live(console=self._output.console, auto_refresh=False)
            self._live.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.__exit__(kind, error, trace)

    def update(self, deployment: DeploymentOut) -> None:
        if self._quiet:
            return
        if self._live is not None:
            self._live.update(commands_table(deployment), refresh=True)
            return
        for command in deployment.commands:
            state = _state(command)
            if self._seen.get(command.id) != state:
                self._seen[command.id] = state
                self._output.line(f"{command.instance}: {command.type.value} {state}")


def _state(command: CommandOut) -> str:
    if command.completed_at is not None or command.status.finished:
        exit_code = "" if command.exit_code is None else f" (exit {command.exit_code})"
        return f"{command.status.value}{exit_code}"
    if command.acknowledged_at is not None:
        return "running"
    if command.sent_at is not None:
        return "sent"
    return command.status.value
