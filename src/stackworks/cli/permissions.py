"""`stackworks permission set|list|remove`: who holds which level on a stack (OpsWorks'
SetPermission and DescribePermissions; manage level on the stack needed)."""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli.errors import UsageError
from stackworks.cli.runtime import runtime
from stackworks.domain.access import Level
from stackworks.wire.schemas import PermissionSet

app = typer.Typer(help="Per-stack permissions: deny, show, deploy, manage; SSH and sudo.")

Json = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]


@app.command("set")
def set_(
    ctx: typer.Context,
    stack: str,
    user: str,
    level: Annotated[str, typer.Option("--level", help="deny, show, deploy or manage")],
    ssh: Annotated[
        bool | None, typer.Option("--ssh/--no-ssh", help="may log in to the stack's instances")
    ] = None,
    sudo: Annotated[bool | None, typer.Option("--sudo/--no-sudo", help="with sudo")] = None,
    as_json: Json = False,
) -> None:
    """Set a user's level on a stack; --ssh/--sudo left out keep what the user had."""
    if level not in {lv.value for lv in Level}:
        raise UsageError(f"--level: expected deny, show, deploy or manage, got {level!r}")
    rt = runtime(ctx)
    body = PermissionSet(level=Level(level), allow_ssh=ssh, allow_sudo=sudo)
    found = rt.client.set_permission(stack, user, body)
    if as_json:
        rt.output.json(found)
        return
    rt.output.line(
        f"User {found.user} has {found.level.value} on stack {found.stack} "
        f"(ssh {'yes' if found.allow_ssh else 'no'}, sudo {'yes' if found.allow_sudo else 'no'})."
    )


@app.command("list")
def list_(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """The explicit permissions on a stack (others hold their default level)."""
    rt = runtime(ctx)
    found = rt.client.list_permissions(stack)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["user", "level", "ssh", "sudo"],
        [(p.user, p.level.value, p.allow_ssh, p.allow_sudo) for p in found],
    )


@app.command("remove")
def remove(ctx: typer.Context, stack: str, user: str) -> None:
    """Remove a user's permission: they hold their default level on the stack again."""
    runtime(ctx).client.remove_permission(stack, user)
    runtime(ctx).output.line(f"Removed the permission of user {user} on stack {stack}.")
