"""`stackworks user access-key create|list|deactivate|activate|delete NAME`: the access keys
a user signs OpsWorks API requests with (boto3's aws_access_key_id / aws_secret_access_key).

Anyone manages their own keys; a server admin anyone's. `create` prints the key id and the
secret once, the secret as the last word (`| awk '{print $NF}'` takes it); nothing prints it
again, and `list` never shows it.
"""

from __future__ import annotations

import sys

import typer

from stackworks.cli.runtime import runtime
from stackworks.cli.stacks import Json
from stackworks.domain.access_keys import AccessKeyStatus
from stackworks.wire.schemas import AccessKeyUpdate

app = typer.Typer(help="Access keys for the OpsWorks API (AWS SigV4), per user.")


@app.command("create")
def create(ctx: typer.Context, name: str, as_json: Json = False) -> None:
    """Make an access key for user NAME; its secret is printed once, as the last word."""
    rt = runtime(ctx)
    made = rt.client.create_access_key(name)
    if as_json:
        rt.output.json(made)
        return
    sys.stdout.write(f"Access key for {made.user} (the secret is shown only now):\n")
    sys.stdout.write(f"aws_access_key_id     {made.access_key_id}\n")
    sys.stdout.write(f"aws_secret_access_key {made.secret_access_key}\n")


@app.command("list")
def list_(ctx: typer.Context, name: str, as_json: Json = False) -> None:
    """User NAME's access keys: id, status, when made and last used (never the secret)."""
    rt = runtime(ctx)
    found = rt.client.list_access_keys(name)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["access key id", "status", "created", "last used"],
        [(k.access_key_id, k.status.value, k.created_at, k.last_used_at) for k in found],
    )


def _set_status(ctx: typer.Context, name: str, key: str, status: AccessKeyStatus) -> None:
    rt = runtime(ctx)
    rt.client.update_access_key(name, key, AccessKeyUpdate(status=status))
    rt.output.line(f"Access key {key} of user {name} is {status.value.lower()}.")


@app.command("deactivate")
def deactivate(ctx: typer.Context, name: str, key: str) -> None:
    """Refuse requests signed with the key from now on (it is kept; `activate` undoes it)."""
    _set_status(ctx, name, key, AccessKeyStatus.INACTIVE)


@app.command("activate")
def activate(ctx: typer.Context, name: str, key: str) -> None:
    """Accept requests signed with a deactivated key again."""
    _set_status(ctx, name, key, AccessKeyStatus.ACTIVE)


@app.command("delete")
def delete(ctx: typer.Context, name: str, key: str) -> None:
    """Delete the key for good."""
    rt = runtime(ctx)
    rt.client.delete_access_key(name, key)
    rt.output.line(f"Deleted access key {key} of user {name}.")
