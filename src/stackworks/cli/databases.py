"""`stackworks database register|list|show|update|deregister`: databases someone else runs,
registered so apps can use them as a data source (`stackworks app create --data-source NAME`).
The password is never shown back; give it with --password-file to keep it out of shell history.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, cast

import typer

from stackworks.cli.errors import UsageError
from stackworks.cli.runtime import runtime
from stackworks.wire.schemas import DatabaseRegister, DatabaseUpdate

app = typer.Typer(help="Databases: registered PostgreSQL or MySQL servers apps connect to.")

Json = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
Host = Annotated[str | None, typer.Option("--host", help="host name or address")]
Port = Annotated[int | None, typer.Option("--port", help="port (default: the engine's)")]
DbName = Annotated[str | None, typer.Option("--database", help="the database's name")]
User = Annotated[str | None, typer.Option("--user", help="the user apps connect as")]
Password = Annotated[str | None, typer.Option("--password", help="the user's password")]
PasswordFile = Annotated[
    Path | None, typer.Option("--password-file", help="read the password from this file")
]


def _password(password: str | None, password_file: Path | None) -> str | None:
    if password is not None and password_file is not None:
        raise UsageError("--password-file: give either --password or --password-file")
    if password_file is None:
        return password
    try:
        return password_file.read_text().rstrip("\n")
    except OSError as error:
        raise UsageError(
            f"--password-file: cannot read {password_file}: {error.strerror}"
        ) from None


@app.command("register")
def register(
    ctx: typer.Context,
    stack: str,
    name: str,
    host: Annotated[str, typer.Option("--host", help="host name or address")],
    database: Annotated[str, typer.Option("--database", help="the database's name")],
    user: Annotated[str, typer.Option("--user", help="the user apps connect as")],
    engine: Annotated[str, typer.Option("--engine", help="postgresql or mysql")] = "postgresql",
    port: Port = None,
    password: Password = None,
    password_file: PasswordFile = None,
    as_json: Json = False,
) -> None:
    """Register a database with a stack by its connection details."""
    rt = runtime(ctx)
    if engine not in ("postgresql", "mysql"):
        raise UsageError(f"--engine: {engine!r} is not postgresql or mysql")
    body = DatabaseRegister(
        name=name,
        engine=cast(Literal["postgresql", "mysql"], engine),
        host=host,
        port=port,
        database=database,
        user=user,
        password=_password(password, password_file) or "",
    )
    found = rt.client.register_database(stack, body)
    if as_json:
        rt.output.json(found)
    else:
        rt.output.line(f"Registered database {found.name} ({found.host}:{found.port}).")


@app.command("list")
def list_(ctx: typer.Context, stack: str, as_json: Json = False) -> None:
    """List a stack's registered databases (passwords stay hidden)."""
    rt = runtime(ctx)
    found = rt.client.list_databases(stack)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["name", "engine", "host", "port", "database", "user", "apps"],
        [
            (d.name, d.engine, d.host, d.port, d.database, d.user, ", ".join(d.apps) or "-")
            for d in found
        ],
    )


@app.command("show")
def show(ctx: typer.Context, stack: str, name: str, as_json: Json = False) -> None:
    """Show one registered database (its password stays hidden)."""
    rt = runtime(ctx)
    d = rt.client.get_database(stack, name)
    if as_json:
        rt.output.json(d)
        return
    rt.output.fields(
        f"database {d.name}",
        [
            ("id", d.id),
            ("engine", d.engine),
            ("host", d.host),
            ("port", d.port),
            ("database", d.database),
            ("user", d.user),
            ("password", d.password or "(none)"),
            ("used by", ", ".join(d.apps) or "-"),
            ("registered", d.created_at),
        ],
    )


@app.command("update")
def update(
    ctx: typer.Context,
    stack: str,
    name: str,
    host: Host = None,
    port: Port = None,
    database: DbName = None,
    user: User = None,
    password: Password = None,
    password_file: PasswordFile = None,
    as_json: Json = False,
) -> None:
    """Change a database's connection details; apps using it are reconfigured."""
    rt = runtime(ctx)
    body = DatabaseUpdate()
    for key, value in (("host", host), ("port", port), ("database", database), ("user", user)):
        if value is not None:
            setattr(body, key, value)
    secret = _password(password, password_file)
    if secret is not None:
        body.password = secret
    if not body.model_fields_set:
        raise UsageError("nothing to update: give at least one option (see --help)")
    found = rt.client.update_database(stack, name, body)
    if as_json:
        rt.output.json(found)
    else:
        rt.output.line(f"Updated database {found.name}.")


@app.command("deregister")
def deregister(ctx: typer.Context, stack: str, name: str) -> None:
    """Deregister a database no app uses (the database itself is untouched)."""
    rt = runtime(ctx)
    rt.client.deregister_database(stack, name)
    rt.output.line(f"Deregistered database {name}.")
