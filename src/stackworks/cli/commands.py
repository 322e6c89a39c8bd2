"""`stackworks command list|show`: every command sent to a stack's instances, lifecycle ones too."""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli.output import clock_time, joined, short_id, status_text
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
    """List commands (setup, configure, deploy, ...) with their times, exit code and reason.

    The table shows ids shortened and times of day; --json has them whole."""
    rt = runtime(ctx)
    found = rt.client.list_commands(stack, instance=instance)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["id", "type", "status", "instance", "created", "sent", "ack", "done", "exit", "reason"],
        [
            (
                short_id(c.id),
                c.type.value,
                status_text(c.status.value),
                c.instance,
                c.created_at,
                clock_time(c.sent_at),
                clock_time(c.acknowledged_at),
                clock_time(c.completed_at),
                c.exit_code,
                c.reason,
            )
            for c in found
        ],
    )


@app.command("show")
def show(
    ctx: typer.Context,
    stack: str,
    command_id: Annotated[str, typer.Argument(metavar="ID")],
    logs: Annotated[bool, typer.Option("--logs", help="include the command's log")] = False,
    as_json: Json = False,
) -> None:
    """Show one command (the whole id, as `command list --json` gives it)."""
    rt = runtime(ctx)
    c = rt.client.get_command(stack, command_id, logs=logs)
    if as_json:
        rt.output.json(c)
        return
    rt.output.fields(
        f"command {c.id}",
        [
            ("type", c.type.value),
            ("instance", c.instance),
            ("status", status_text(c.status.value)),
            ("deployment", c.deployment_id),
            ("run list", joined(c.run_list)),
            ("created", c.created_at),
            ("sent", c.sent_at),
            ("acknowledged", c.acknowledged_at),
            ("completed", c.completed_at),
            ("exit code", c.exit_code),
            ("reason", c.reason),
        ],
    )
    if logs:
        rt.output.block("--- log", c.log or "")
