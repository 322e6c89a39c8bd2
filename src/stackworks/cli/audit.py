"""`stackworks audit [STACK]`: who asked the API to change what, when, and how it ended."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from stackworks.cli import options
from stackworks.cli.errors import UsageError
from stackworks.cli.output import Cell
from stackworks.cli.runtime import runtime
from stackworks.cli.stacks import Json, compact
from stackworks.wire.schemas import AuditEntryOut

Since = Annotated[
    str | None,
    typer.Option("--since", help="a duration back from now (30m, 1h, 2d) or an ISO 8601 moment"),
]
Limit = Annotated[int, typer.Option("--limit", help="how many of the newest to show (max 1000)")]


def since_moment(value: str, now: datetime | None = None) -> str:
    """`--since 1h` -> an hour ago; an ISO 8601 moment as given (UTC when it names no zone)."""
    if value[:1].isdigit() and value[-1:].lower() in "smhd" and "-" not in value:
        moment = (now or datetime.now(UTC)) - timedelta(seconds=options.duration("--since", value))
        return moment.isoformat()
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"--since: {value!r} is neither a duration (30m, 1h, 2d) nor an ISO 8601 moment"
        ) from None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


def audit_row(entry: AuditEntryOut) -> tuple[Cell, ...]:
    return (
        entry.at,
        entry.user or "(no valid token)",
        entry.stack,
        entry.action,
        entry.target,
        entry.status,
        compact(entry.changes.get("body", entry.changes)),
    )


def audit(
    ctx: typer.Context,
    stack: Annotated[str | None, typer.Argument(help="default: every stack (admins only)")] = None,
    since: Since = None,
    limit: Limit = 100,
    as_json: Json = False,
) -> None:
    """Show the audit log: every change, deployment and refusal, with who and what changed
    (secrets masked)."""
    rt = runtime(ctx)
    found = rt.client.list_audit(stack, since=since_moment(since) if since else None, limit=limit)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        None,
        ["at", "user", "stack", "action", "target", "status", "changes"],
        map(audit_row, found),
    )
