"""`stackworks deploy` (run a command on instances) and `stackworks deployment list|show`."""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli import options
from stackworks.cli.errors import CliError, UsageError
from stackworks.cli.output import Output, joined, status_text
from stackworks.cli.progress import DeploymentProgress, commands_table
from stackworks.cli.runtime import Runtime, runtime
from stackworks.cli.stacks import Json, compact
from stackworks.cli.waiting import DEFAULT_TIMEOUT, poll
from stackworks.domain.status import DEPLOYMENT_COMMANDS, CommandName, DeploymentStatus
from stackworks.wire.schemas import DeploymentCommandIn, DeploymentCreate, DeploymentOut

app = typer.Typer(help="Deployments: commands sent to a stack's instances, and their outcome.")

_COMMANDS = ", ".join(sorted(c.value for c in DEPLOYMENT_COMMANDS))


def show_deployment(output: Output, d: DeploymentOut, *, logs: bool = False) -> None:
    output.fields(
        f"deployment {d.id}",
        [
            ("stack", d.stack),
            ("command", d.command.name.value),
            ("args", compact(d.command.args)),
            ("app", d.app),
            ("revision", d.revision),
            (
                "rolling",
                f"step {min(d.step + 1, len(d.steps))} of {len(d.steps)}" if d.rolling else None,
            ),
            ("status", status_text(d.status.value)),
            ("instances", joined(d.instances)),
            ("comment", d.comment),
            ("created by", d.created_by),
            ("created", d.created_at),
            ("completed", d.completed_at),
            ("duration", f"{d.duration:.1f}s" if d.duration is not None else None),
            ("custom json", compact(d.custom_json)),
        ],
    )
    if d.commands:
        output.console.print(commands_table(d))
    if logs:
        for command in d.commands:
            output.block(f"--- {command.instance}: {command.type.value} log", command.log or "")


def parse_command(name: str) -> CommandName:
    try:
        command = CommandName(name)
    except ValueError:
        raise UsageError(f"--command: unknown command {name!r} (one of {_COMMANDS})") from None
    if command not in DEPLOYMENT_COMMANDS:
        raise UsageError(f"--command: {name!r} is sent by the lifecycle only")
    return command


def wait_for_deployment(
    rt: Runtime, stack: str, created: DeploymentOut, *, quiet: bool, timeout: float
) -> DeploymentOut:
    with DeploymentProgress(rt.output, quiet=quiet) as progress:
        return poll(
            rt,
            lambda: rt.client.get_deployment(stack, created.id),
            lambda d: d.status is not DeploymentStatus.RUNNING,
            timeout=timeout,
            what=f"deployment {created.id}",
            on_change=progress.update,
        )


def deploy(
    ctx: typer.Context,
    stack: str,
    command: Annotated[str, typer.Option("--command", help=f"one of {_COMMANDS}")],
    app_name: Annotated[str | None, typer.Option("--app", help="app shortname")] = None,
    instances: Annotated[
        str | None, typer.Option("--instances", help="comma-separated hostnames")
    ] = None,
    layers: Annotated[str | None, typer.Option("--layers", help="comma-separated layers")] = None,
    args: Annotated[
        str | None, typer.Option("--args", help="command arguments: JSON object or @file")
    ] = None,
    custom_json: Annotated[
        str | None, typer.Option("--custom-json", help="JSON object or @file, this run only")
    ] = None,
    comment: Annotated[str, typer.Option("--comment", help="why, for the history")] = "",
    rolling: Annotated[
        bool | None,
        typer.Option(
            "--rolling/--all-at-once",
            help="one instance at a time, drained on the load balancers (default: the stack's)",
        ),
    ] = None,
    wait: Annotated[bool, typer.Option("--wait", help="follow it; exit 1 if it fails")] = False,
    timeout: Annotated[
        float, typer.Option("--timeout", help="seconds --wait waits")
    ] = DEFAULT_TIMEOUT,
    as_json: Json = False,
) -> None:
    """Run a command (deploy, restart, execute_recipes, ...) on a stack's online instances."""
    rt = runtime(ctx)
    name = parse_command(command)
    if name.needs_app and not app_name:
        raise UsageError(f"--app is required for {name.value}")
    hostnames, layer_names = options.csv(instances), options.csv(layers)
    if hostnames and layer_names:
        raise UsageError("give either --instances or --layers, not both")
    body = DeploymentCreate(
        command=DeploymentCommandIn(
            name=name, args=options.json_object("--args", args) if args else {}
        ),
        app=app_name,
        instances=hostnames,
        layers=layer_names,
        custom_json=options.json_object("--custom-json", custom_json) if custom_json else {},
        comment=comment,
        rolling=rolling,
    )
    deployment = rt.client.create_deployment(stack, body)
    if not as_json:
        rt.output.line(
            f"Deployment {deployment.id}: {name.value} on {joined(deployment.instances)}."
        )
    if wait:
        deployment = wait_for_deployment(rt, stack, deployment, quiet=as_json, timeout=timeout)
    if as_json:
        rt.output.json(deployment)
    elif wait:
        duration = f" in {deployment.duration:.1f}s" if deployment.duration is not None else ""
        rt.output.line(f"Deployment {deployment.id} {deployment.status.value}{duration}.")
    if wait and deployment.status is DeploymentStatus.FAILED:
        failed = [c.instance for c in deployment.commands if c.status.value == "failed"]
        on = f" on {', '.join(failed)}" if failed else ""
        raise CliError(
            f"deployment {deployment.id} failed{on}; "
            f"see `stackworks deployment show {stack} {deployment.id} --logs`"
        )


@app.command("list")
def list_(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """List a stack's deployments, newest first."""
    rt = runtime(ctx)
    found = rt.client.list_deployments(stack)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["id", "command", "app", "status", "instances", "created", "duration", "comment"],
        [
            (
                d.id,
                d.command.name.value,
                d.app,
                status_text(d.status.value),
                joined(d.instances),
                d.created_at,
                f"{d.duration:.1f}s" if d.duration is not None else None,
                d.comment,
            )
            for d in found
        ],
    )


@app.command("show")
def show(
    ctx: typer.Context,
    stack: str,
    deployment_id: Annotated[str, typer.Argument(metavar="ID")],
    logs: Annotated[bool, typer.Option("--logs", help="include each command's log")] = False,
    as_json: Json = False,
) -> None:
    """Show one deployment and its per-instance commands."""
    rt = runtime(ctx)
    found = rt.client.get_deployment(stack, deployment_id, logs=logs)
    if as_json:
        rt.output.json(found)
    else:
        show_deployment(rt.output, found, logs=logs)
