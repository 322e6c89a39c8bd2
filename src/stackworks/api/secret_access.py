"""Who may read secure values in clear: the one check behind every `with_secrets` request.

Secrets leave the server in clear only to agents (in their own commands' configuration) and,
asked for explicitly, to a caller this check admits: an export with secrets, or the export half
of a clone (whose apply half needs manage on the target stack by its own route declaration).
The rule is manage on every stack involved; a server admin holds manage everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from stackworks.domain.access import Level, Principal
from stackworks.domain.errors import Forbidden
from stackworks.store import permissions as permission_store
from stackworks.store import stacks as stack_store
from stackworks.store.db import Database


def require_secret_access(db: Database, principal: Principal, stacks: Sequence[str]) -> None:
    """Raise Forbidden unless `principal` holds manage on all of `stacks`."""
    if principal.is_admin:
        return
    with db.transaction() as session:
        for name in stacks:
            stack = stack_store.get_by_name(session, name)
            held = permission_store.held_by(session, principal, stack.id)
            if not held.includes(Level.MANAGE):
                raise Forbidden(
                    f"with_secrets: reading the secure values of stack {name!r} needs manage "
                    f"there; user {principal.name!r} has {held.value}",
                    field="with_secrets",
                )
