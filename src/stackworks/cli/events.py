"""`stackworks events STACK [--follow]`: what the control plane did on its own, and why."""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli.output import Cell
from stackworks.cli.runtime import Runtime, runtime
from stackworks.cli.stacks import Json
from stackworks.domain.status import EventKind
from stackworks.wire.schemas import EventOut

Follow = Annotated[
    bool, typer.Option("--follow", "-f", help="keep printing new events until interrupted")
]
Kinds = Annotated[
    list[EventKind] | None, typer.Option("--kind", help="only this kind; repeat for more")
]
Limit = Annotated[int, typer.Option("--limit", help="how many of the newest to show first")]


def event_row(event: EventOut) -> tuple[Cell, ...]:
    return (event.seq, event.at, event.kind.value, event.instance, event.message)


def _print(rt: Runtime, events: list[EventOut], as_json: bool) -> None:
    if as_json:
        for event in events:  # one JSON object a line, so a follower can stream them
            rt.output.json_line(event)
    else:
        for event in events:
            rt.output.line(
                f"{event.at:%Y-%m-%d %H:%M:%S}  {event.kind.value:<9} "
                f"{event.instance or '-':<12} {event.message}"
            )


def events(
    ctx: typer.Context,
    stack: str,
    follow: Follow = False,
    kind: Kinds = None,
    limit: Limit = 50,
    as_json: Json = False,
) -> None:
    """Show a stack's events: healing, scaling, schedules, lost instances, resources.

    --json prints a JSON list, or with --follow one JSON object a line."""
    rt = runtime(ctx)
    found = rt.client.list_events(stack, kinds=kind, limit=limit)
    if as_json and not follow:
        rt.output.json(found)
        return
    if not follow:
        rt.output.table(None, ["seq", "at", "kind", "instance", "message"], map(event_row, found))
        return
    _print(rt, found, as_json)
    last = found[-1].seq if found else 0
    try:
        while True:
            rt.sleep(rt.poll_interval)
            new = rt.client.list_events(stack, kinds=kind, after=last)
            _print(rt, new, as_json)
            if new:
                last = new[-1].seq
    except KeyboardInterrupt:  # Ctrl-C is how a follow ends
        return
