"""`stackworks instance register-token|rotate-credential|revoke-credential`: agents' credentials
(docs/agent-protocol.md, "Credentials"). Each is a command of the `instance` group."""

from __future__ import annotations

from typing import Annotated

import typer

from stackworks.cli import options
from stackworks.cli.runtime import runtime
from stackworks.cli.stacks import Json


def register_token(
    ctx: typer.Context,
    stack: str,
    expires_in: Annotated[
        str, typer.Option("--expires-in", help="how long it stays usable: 90s, 30m, 1h, 2d")
    ] = "1h",
    as_json: Json = False,
) -> None:
    """A one-time token for `stackworks agent register` on one host (printed once, last)."""
    rt = runtime(ctx)
    issued = rt.client.create_registration_token(
        stack, options.duration("--expires-in", expires_in)
    )
    if as_json:
        rt.output.json(issued)
        return
    rt.output.line(
        f"Registration token for stack {issued.stack}, usable once until "
        f"{issued.expires_at:%Y-%m-%d %H:%M:%S} UTC (shown only now):"
    )
    rt.output.line(issued.token)


def rotate_credential(
    ctx: typer.Context,
    stack: str,
    hostname: str,
    grace: Annotated[
        str,
        typer.Option("--grace", help="how long the old credential lasts unconfirmed: 30m, 1h"),
    ] = "1h",
) -> None:
    """Give the instance's agent a new credential at its next heartbeat; the old one ends."""
    rt = runtime(ctx)
    rt.client.rotate_credential(stack, hostname, options.duration("--grace", grace))
    rt.output.line(
        f"{hostname}: its agent takes a new credential at its next heartbeat; the old one ends "
        f"then, or in {grace} if the agent does not call."
    )


def revoke_credential(ctx: typer.Context, stack: str, hostname: str) -> None:
    """Refuse every credential of the instance: its agent stops at its next call."""
    rt = runtime(ctx)
    rt.client.revoke_credential(stack, hostname)
    rt.output.line(
        f"{hostname}: credential revoked; its agent stops at its next call. A local instance "
        "gets a new one when it next starts; a registered host must register again."
    )
