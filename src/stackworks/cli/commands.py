"""`stackworks command list`: every command sent to a stack's instances, lifecycle ones too."""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli.output import status_text
from stackworks.cli.runtime import runtime
from stackworks.cli.stacks import Json

app = typer.Typer(help="Commands: what each instance was told to run, and how it went.")


@app.command("list")
def list_(
    ctx: typer.Context,
    stack: str,
    instance: Annotated[str | None, typer.Option("--instance", help="only this hostname")] = None,
    as_json: Json = False,
) -> None:
    """List commands (setup, configure, deploy, ...) with their times, exit code and reason."""
    rt = runtime(ctx)
    found = rt.client.list_commands(stack, instance=instance)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        [
            "id",
            "type",
            "status",
            "instance",
            "created",
            "sent",
            "ack",
            "completed",
            "exit",
            "reason",
        ],
        [
            (
                c.id,
                c.type.value,
                status_text(c.status.value),
                c.instance,
                c.created_at,
                c.sent_at,
                c.acknowledged_at,
                c.completed_at,
                c.exit_code,
                c.reason,
            )
            for c in found
        ],
    )
