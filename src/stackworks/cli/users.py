"""`stackworks user ...`: users, their SSH profiles, API tokens and console passwords.

Server admins manage users; anyone may read `user whoami` and change their own password. A new
token is printed once, as the last word of the output (`| awk '{print $NF}'` takes it); a
password is read from a prompt, or from stdin when that is not a terminal, never from argv.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from stackworks.cli import options
from stackworks.cli.errors import UsageError
from stackworks.cli.output import Output
from stackworks.cli.runtime import runtime
from stackworks.domain.access import Level
from stackworks.wire.schemas import (
    MyProfileUpdate,
    PasswordSet,
    UserCreate,
    UserOut,
    UserTokenCreate,
    UserUpdate,
)

app = typer.Typer(help="Users: people and CI jobs, their SSH profiles, tokens and passwords.")

Json = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
SshUsername = Annotated[
    str | None, typer.Option("--ssh-username", help="the Unix login on instances")
]
SshKey = Annotated[
    Path | None, typer.Option("--ssh-key", help="a file holding one OpenSSH public key line")
]
DefaultLevel = Annotated[
    str | None,
    typer.Option("--default-level", help="level on stacks without a permission: deny..manage"),
]


def _level(value: str | None) -> Level | None:
    if value is None:
        return None
    try:
        return Level(value)
    except ValueError:
        names = ", ".join(level.value for level in Level)
        raise UsageError(f"--default-level: expected one of {names}, got {value!r}") from None


def _public_key(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        text = path.expanduser().read_text()
    except OSError as error:
        raise UsageError(f"--ssh-key: cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"--ssh-key: {path} is not a text file") from None
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) != 1:
        raise UsageError(f"--ssh-key: {path} must hold exactly one public key line")
    return lines[0]


def show_user(output: Output, user: UserOut) -> None:
    output.fields(
        f"user {user.name}",
        [
            ("admin", user.admin),
            ("default level", user.default_level.value),
            ("ssh username", user.ssh_username or "-"),
            ("ssh key", user.ssh_public_key or "-"),
            ("password", "set" if user.has_password else "none"),
            ("created", user.created_at),
        ],
    )
    if user.permissions:
        output.table(
            "permissions",
            ["stack", "level", "ssh", "sudo"],
            [
                (
                    p.stack,
                    p.level.value,
                    p.allow_ssh,
                    p.allow_sudo,
                )
                for p in user.permissions
            ],
        )


@app.command("create")
def create(
    ctx: typer.Context,
    name: str,
    admin: Annotated[bool, typer.Option("--admin", help="a server admin")] = False,
    default_level: DefaultLevel = None,
    ssh_username: SshUsername = None,
    ssh_key: SshKey = None,
    as_json: Json = False,
) -> None:
    """Make a user (server admins only); give them a token with `stackworks user token`."""
    rt = runtime(ctx)
    body = UserCreate(
        name=name,
        admin=admin,
        default_level=_level(default_level) or Level.DENY,
        ssh_username=ssh_username,
        ssh_public_key=_public_key(ssh_key),
    )
    made = rt.client.create_user(body)
    if as_json:
        rt.output.json(made)
    else:
        rt.output.line(f"Created {'server admin' if made.admin else 'user'} {made.name}.")


@app.command("list")
def list_(ctx: typer.Context, as_json: Json = False) -> None:
    """List users (never a token or a password)."""
    rt = runtime(ctx)
    found = rt.client.list_users()
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["name", "admin", "default level", "ssh username", "password"],
        [
            (
                u.name,
                u.admin,
                u.default_level.value,
                u.ssh_username or "-",
                "set" if u.has_password else "none",
            )
            for u in found
        ],
    )


@app.command("show")
def show(ctx: typer.Context, name: str, as_json: Json = False) -> None:
    """A user's profile and per-stack permissions."""
    rt = runtime(ctx)
    found = rt.client.get_user(name)
    if as_json:
        rt.output.json(found)
    else:
        show_user(rt.output, found)


@app.command("whoami")
def whoami(ctx: typer.Context, as_json: Json = False) -> None:
    """The user your token stands for."""
    rt = runtime(ctx)
    found = rt.client.whoami()
    if as_json:
        rt.output.json(found)
    else:
        show_user(rt.output, found)


@app.command("update")
def update(
    ctx: typer.Context,
    name: str,
    ssh_username: SshUsername = None,
    ssh_key: SshKey = None,
    clear_ssh: Annotated[
        bool, typer.Option("--clear-ssh", help="remove the SSH profile everywhere")
    ] = False,
    admin: Annotated[
        bool | None, typer.Option("--admin/--no-admin", help="make or unmake a server admin")
    ] = None,
    default_level: DefaultLevel = None,
    as_json: Json = False,
) -> None:
    """Change a user's SSH profile, admin flag or default level; SSH changes reach instances.

    Anyone may change their own SSH key (`user update ME --ssh-key FILE`); the rest is for
    server admins.
    """
    rt = runtime(ctx)
    key = _public_key(ssh_key)
    me = rt.client.whoami()
    if me.name == name and not me.admin:
        if key is None or ssh_username or clear_ssh or admin is not None or default_level:
            raise UsageError("--ssh-key: on your own profile you may change only the SSH key")
        updated = rt.client.update_my_profile(MyProfileUpdate(ssh_public_key=key))
    else:
        body = UserUpdate(
            admin=admin,
            default_level=_level(default_level),
            ssh_username=ssh_username,
            ssh_public_key=key,
            clear_ssh=clear_ssh,
        )
        updated = rt.client.update_user(name, body)
    if as_json:
        rt.output.json(updated)
    else:
        rt.output.line(f"Updated user {updated.name}.")


@app.command("delete")
def delete(ctx: typer.Context, name: str) -> None:
    """Delete a user with their tokens and permissions."""
    rt = runtime(ctx)
    rt.client.delete_user(name)
    rt.output.line(f"Deleted user {name}.")


@app.command("token")
def token(
    ctx: typer.Context,
    name: str,
    token_name: Annotated[
        str | None, typer.Option("--name", help="the token's name (default token-N)")
    ] = None,
    expires_in: Annotated[
        str | None, typer.Option("--expires-in", help="e.g. 12h, 30d, 2w (default: never)")
    ] = None,
    as_json: Json = False,
) -> None:
    """Make an API token for a user; it is printed once, as the last word."""
    rt = runtime(ctx)
    seconds = options.duration("--expires-in", expires_in) if expires_in else None
    made = rt.client.create_user_token(name, UserTokenCreate(name=token_name, expires_in=seconds))
    if as_json:
        rt.output.json(made)
        return
    until = f", expires {made.expires_at:%Y-%m-%d %H:%M} UTC" if made.expires_at else ""
    sys.stdout.write(f"Token {made.name} for {made.user}{until}: {made.token}\n")


@app.command("tokens")
def tokens(ctx: typer.Context, name: str, as_json: Json = False) -> None:
    """A user's tokens by name (never the tokens themselves)."""
    rt = runtime(ctx)
    found = rt.client.list_user_tokens(name)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["name", "kind", "created", "expires", "last used"],
        [(t.name, t.kind, t.created_at, t.expires_at, t.last_used_at) for t in found],
    )


@app.command("token-revoke")
def token_revoke(ctx: typer.Context, name: str, token_name: str) -> None:
    """Revoke one of a user's tokens at once."""
    rt = runtime(ctx)
    rt.client.revoke_user_token(name, token_name)
    rt.output.line(f"Revoked token {token_name} of user {name}.")


def read_password(prompt: str, *, confirm: bool) -> str:
    if sys.stdin.isatty():
        return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))
    line = sys.stdin.readline()
    if not line:
        raise UsageError("password: nothing on stdin (give it on a line, or run in a terminal)")
    return line.rstrip("\r\n")


@app.command("passwd")
def passwd(ctx: typer.Context, name: str) -> None:
    """Set a user's console password, read from a prompt or stdin (never the command line).

    Your own password needs the current one first, if one is set; a server admin sets anyone's.
    """
    rt = runtime(ctx)
    me = rt.client.whoami()
    if me.name == name:
        current = read_password("Current password", confirm=False) if me.has_password else None
        password = read_password("New password", confirm=True)
        rt.client.set_my_password(PasswordSet(password=password, current_password=current))
    else:
        password = read_password(f"New password for {name}", confirm=True)
        rt.client.set_password(name, PasswordSet(password=password))
    rt.output.line(f"Password of user {name} set.")
