"""`stackworks token create|list|delete`: the first CLI's tokens, kept as a thin view of users.

`token create NAME --role deploy` makes user NAME with deploy on every stack (present and
future) and a token also named NAME; `--role admin` a server admin. `token delete NAME` deletes
that user. `stackworks user ...` and `stackworks permission ...` do all this and more.
"""

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
    """Make a user NAME with the role and a token; it is printed once, only its hash is kept."""
    if role not in (Role.ADMIN.value, Role.DEPLOY.value):
        raise UsageError(f"--role: expected deploy or admin, got {role!r}")
    rt = runtime(ctx)
    chosen = Role.ADMIN if role == Role.ADMIN.value else Role.DEPLOY
    created = rt.client.create_token(TokenCreate(name=name, role=chosen))
    if as_json:
        rt.output.json(created)
        return
    rt.output.line(f"Created {created.role.value} token {created.name}. It is shown only now:")
    rt.output.line(created.token)


@app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """List users by name and role (never their tokens)."""
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
    """Delete user NAME, revoking their tokens at once."""
    runtime(ctx).client.delete_token(name)
    runtime(ctx).output.line(f"Deleted token {name}.")
