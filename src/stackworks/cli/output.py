"""Everything the CLI shows: one Rich console for people, plain JSON for programs.

Commands build rows and hand them here; nothing else prints to stdout. Cells are `Text`, never
markup strings, so a `[` in a reason or a comment is shown as typed. `--json` output bypasses Rich
altogether (no colour codes, no wrapping). Rich honours NO_COLOR by itself.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table
from rich.text import Text

from stackworks.domain.status import CommandStatus, DeploymentStatus, InstanceStatus

Cell = str | int | float | bool | None | datetime | Text

#: statuses worth a colour; anything else is plain
_STYLES = {
    InstanceStatus.ONLINE.value: "green",
    InstanceStatus.STOPPED.value: "dim",
    InstanceStatus.SETUP_FAILED.value: "red",
    InstanceStatus.START_FAILED.value: "red",
    InstanceStatus.CONNECTION_LOST.value: "red",
    CommandStatus.SUCCESSFUL.value: "green",
    CommandStatus.FAILED.value: "red",
    CommandStatus.SKIPPED.value: "dim",
    DeploymentStatus.RUNNING.value: "yellow",
}


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def clock_time(moment: datetime | None) -> str:
    """Just the time of day: enough in a table whose rows share a date column."""
    return moment.strftime("%H:%M:%S") if moment else "-"


def short_id(identifier: str) -> str:
    """The first block of a UUID, as tables show it (`--json` has the whole id)."""
    return identifier.split("-", 1)[0]


def status_text(status: str) -> Text:
    return Text(status, style=_STYLES.get(status, ""))


def cell(value: Cell) -> Text:
    if isinstance(value, Text):
        return value
    if value is None or value == "":
        return Text("-")
    if isinstance(value, datetime):
        return Text(when(value))
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    return Text(str(value))


def joined(items: Iterable[str]) -> str:
    return ", ".join(items) or "-"


class Output:
    """Where a command's results go; tests inject a console of fixed width and no colour."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()

    def table(
        self, title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Cell]]
    ) -> None:
        table = build_table(title, columns, rows)
        self.console.print(table)

    def fields(self, title: str, pairs: Sequence[tuple[str, Cell]]) -> None:
        """One object as a two-column `field  value` table."""
        table = Table(title=title, show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column(overflow="fold")
        for name, value in pairs:
            table.add_row(Text(name), cell(value))
        self.console.print(table)

    def line(self, message: str, style: str = "") -> None:
        self.console.print(Text(message, style=style))

    def block(self, title: str, body: str) -> None:
        """A titled verbatim text, such as a command's log."""
        self.console.print(Text(title, style="bold"))
        self.console.print(Text(body.rstrip("\n") or "(empty)"), soft_wrap=True)

    def json(self, data: Any) -> None:
        """Plain JSON on stdout, whatever the console's settings."""
        sys.stdout.write(json.dumps(to_jsonable(data), indent=2, sort_keys=False) + "\n")
        sys.stdout.flush()

    def json_line(self, data: Any) -> None:
        """One compact JSON document on a line of its own (for streams such as --follow)."""
        sys.stdout.write(json.dumps(to_jsonable(data), sort_keys=False) + "\n")
        sys.stdout.flush()


def build_table(title: str | None, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(cell(value) for value in row))
    return table


def to_jsonable(data: Any) -> Any:
    """Models and lists of models as JSON-ready data (datetimes as ISO strings)."""
    if isinstance(data, BaseModel):
        return data.model_dump(mode="json")
    if isinstance(data, Mapping):
        return {key: to_jsonable(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [to_jsonable(item) for item in data]
    return data
