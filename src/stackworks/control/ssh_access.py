"""Keeping instances' Unix accounts in step with who may log in to them.

Whenever a user's SSH profile or a stack permission's allow_ssh/allow_sudo changes, every online
instance of each affected stack gets an execute_recipes command running `stackworks::ssh_users`,
whose configuration carries the new `ssh_users` list (docs/stack-configuration.md). Instances
that come online later get the list with their setup.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from stackworks.control.commands import load_snapshot, queue
from stackworks.domain.entities import Command
from stackworks.domain.status import CommandName

SSH_USERS_RECIPE = "stackworks::ssh_users"


def refresh_ssh_users(session: Session, stack_ids: Iterable[str], reason: str) -> list[Command]:
    """Queue the SSH accounts recipe on every online instance of the stacks; the commands."""
    queued: list[Command] = []
    for stack_id in sorted(set(stack_ids)):
        snapshot = load_snapshot(session, stack_id)
        queued.extend(
            queue(
                session,
                snapshot,
                instance,
                CommandName.EXECUTE_RECIPES,
                reason=reason,
                args={"recipes": [SSH_USERS_RECIPE]},
            )
            for instance in snapshot.online_instances()
        )
    return queued
