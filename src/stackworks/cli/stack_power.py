"""`stackworks stack start|stop STACK`: every 24/7 instance started, or every instance stopped."""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli.runtime import runtime
from stackworks.wire.schemas import StackPowerResult

Json = Annotated[bool, typer.Option("--json", help="print JSON instead of text")]


def _report(verb: str, result: StackPowerResult) -> str:
    asked = ", ".join(result.changed) or "no instance"
    text = f"Stack {result.stack}: asked {asked} to {verb}."
    if result.unchanged:
        text += f" Left as they are: {', '.join(result.unchanged)}."
    return text


def start(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """Start every stopped 24/7 instance (time- and load-based ones follow their schedulers)."""
    rt = runtime(ctx)
    result = rt.client.start_stack(stack)
    if as_json:
        rt.output.json(result)
    else:
        rt.output.line(_report("start", result))


def stop(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """Stop every instance of the stack that runs."""
    rt = runtime(ctx)
    result = rt.client.stop_stack(stack)
    if as_json:
        rt.output.json(result)
    else:
        rt.output.line(_report("stop", result))
