"""The `stackworks` command: one Typer app joining a sub-app per group.

`StackworksGroup.invoke` is the one place errors become output: a `CliError` (an API refusal, bad
input, no server) prints `error: <message>` on stderr and exits 1 or 2; a pydantic validation
error from building a request names the field. `main()` adds a last guard so even a bug ends in
one line, not a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from typer.core import TyperGroup

from stackworks.cli import (
    access_keys,
    addresses,
    agent,
    apps,
    audit,
    commands,
    credentials,
    databases,
    demo,
    deployments,
    documents,
    events,
    instance_credentials,
    instances,
    layers,
    permissions,
    scaling,
    server,
    stack_power,
    stacks,
    tokens,
    users,
    volumes,
)
from stackworks.cli.client import ApiClient
from stackworks.cli.errors import EXIT_FAILED, EXIT_USAGE, CliError, UsageError
from stackworks.cli.runtime import runtime
from stackworks.wire.schemas import LoginRequest


def validation_message(error: ValidationError) -> str:
    """`layers[0].shortname: Field required; ...` from a pydantic error."""
    problems = []
    for item in error.errors():
        path = ""
        for part in item.get("loc", ()):
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        problems.append(f"{path or 'value'}: {item.get('msg', 'invalid')}")
    return "; ".join(problems)


class StackworksGroup(TyperGroup):
    """The root group: every command runs inside its `invoke`, so errors are reported here."""

    def invoke(self, ctx: Any) -> Any:  # typer vendors click; its Context is private
        try:
            return super().invoke(ctx)
        except CliError as error:
            typer.echo(f"error: {error.message}", err=True)
            raise typer.Exit(error.exit_code) from None
        except ValidationError as error:
            typer.echo(f"error: {validation_message(error)}", err=True)
            raise typer.Exit(EXIT_USAGE) from None


app = typer.Typer(
    cls=StackworksGroup,
    help="Stackworks: stacks, layers, apps and instances for Python web apps.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    ca_file: Annotated[
        Path | None,
        typer.Option(
            "--ca-file",
            help="CA file to verify an https server with (default: $STACKWORKS_CA_FILE, the "
            "login's, or the system's CAs)",
        ),
    ] = None,
) -> None:
    """Stackworks: stacks, layers, apps and instances for Python web apps."""
    rt = runtime(ctx)
    if ca_file is not None:
        rt.ca_file = ca_file
    ctx.call_on_close(rt.close)


@app.command("login")
def login(
    ctx: typer.Context,
    url: Annotated[str, typer.Option("--url", help="the server, e.g. http://127.0.0.1:8700")],
    token: Annotated[str | None, typer.Option("--token", help="an API token")] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="log in with this user's console password")
    ] = None,
) -> None:
    """Save the server URL and a token (mode 0600) for the next commands, and the --ca-file
    given before `login` (`stackworks --ca-file ca.pem login ...`) for an https server.

    With `--user`, the password is read from a prompt (or stdin) and the server gives a token
    that expires in 12 hours.
    """
    rt = runtime(ctx)
    server = credentials.check_url(url)
    if (token is None) == (user is None):
        raise UsageError("--token: give either --token or --user")
    ca_file = rt.ca_file.resolve() if rt.ca_file is not None else None
    if ca_file is not None and not ca_file.is_file():
        raise UsageError(f"--ca-file: {ca_file} does not exist")
    if user is not None:
        password = users.read_password("Password", confirm=False)
        with ApiClient(server, "", transport=rt.transport, ca_file=ca_file) as anonymous:
            token = anonymous.login(LoginRequest(name=user, password=password)).token
    if token is None or not token.strip():
        raise UsageError("--token: the token is empty")
    path = credentials.credentials_path(rt.environ)
    saved = credentials.Credentials(url=server, token=token.strip(), ca_file=ca_file)
    credentials.save(path, saved)
    rt.output.line(f"Saved credentials for {saved.url} to {path}.")


stacks.app.command("start")(stack_power.start)
stacks.app.command("clone")(documents.clone)
stacks.app.command("stop")(stack_power.stop)
app.add_typer(stacks.app, name="stack")
app.add_typer(layers.app, name="layer")
app.add_typer(apps.app, name="app")
app.add_typer(instances.app, name="instance")
instances.app.command("schedule")(scaling.schedule)
instances.app.command("metrics")(scaling.metrics)
instances.app.command("register-token")(instance_credentials.register_token)
instances.app.command("rotate-credential")(instance_credentials.rotate_credential)
instances.app.command("revoke-credential")(instance_credentials.revoke_credential)
layers.app.command("scaling")(scaling.layer_scaling)
app.command("deploy")(deployments.deploy)
app.add_typer(deployments.app, name="deployment")
app.add_typer(commands.app, name="command")
app.command("events")(events.events)
app.command("audit")(audit.audit)
app.command("apply")(documents.apply)
app.command("export")(documents.export)
app.add_typer(server.app, name="server")
app.add_typer(agent.app, name="agent")
app.add_typer(tokens.app, name="token")
users.app.add_typer(access_keys.app, name="access-key")
app.add_typer(users.app, name="user")
app.add_typer(permissions.app, name="permission")
app.add_typer(volumes.app, name="volume")
app.add_typer(addresses.app, name="address")
app.add_typer(databases.app, name="database")
app.command("demo")(demo.demo)


def main() -> None:
    """Console-script entry; also `python -m stackworks`."""
    try:
        app(prog_name="stackworks")
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # a bug: one line, not a traceback
        typer.echo(f"error: unexpected {type(error).__name__}: {error}", err=True)
        sys.exit(EXIT_FAILED)
