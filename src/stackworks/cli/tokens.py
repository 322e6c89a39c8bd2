"""`stackworks token create|list|delete`: API tokens for people and CI jobs (admin only)."""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli.errors import UsageError
from stackworks.cli.runtime import runtime
from stackworks.cli.stacks import Json
from stackworks.domain.access import Role
from stackworks.wire.schemas import TokenCreate

app = typer.Typer(help="API tokens: `deploy` for CI jobs, `admin` for people who manage stacks.")


@app.command("create")
def create(
    ctx: typer.Context,
    name: str,
    role: Annotated[
        str, typer.Option("--role", help="deploy (read and deploy) or admin")
    ] = "deploy",
    as_json: Json = False,
) -> None:
    """Make a token; it is printed once, and only its hash is kept."""
    if role not in {r.value for r in Role}:
        raise UsageError(f"--role: expected deploy or admin, got {role!r}")
    rt = runtime(ctx)
    created = rt.client.create_token(TokenCreate(name=name, role=Role(role)))
    if as_json:
        rt.output.json(created)
        return
    rt.output.line(f"Created {created.role.value} token {created.name}. It is shown only now:")
    rt.output.line(created.token)


@app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """List tokens by name and role (never the tokens themselves)."""
    rt = runtime(ctx)
    found = rt.client.list_tokens()
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None, ["name", "role", "created"], [(t.name, t.role.value, t.created_at) for t in found]
    )


@app.command("delete")
def delete(ctx: typer.Context, name: str) -> None:
    """Revoke a token at once."""
    runtime(ctx).client.delete_token(name)
    runtime(ctx).output.line(f"Deleted token {name}.")
