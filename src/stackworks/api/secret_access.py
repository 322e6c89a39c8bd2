"""Who may read secure values in clear: the one check behind every `with_secrets` request.

Secrets leave the server in clear only to agents (in their own commands' configuration) and,
asked for explicitly, to a caller this check admits: an export with secrets, or the export half
of a clone. Until per-stack permissions exist that is a server admin; with them it becomes
"manage on every stack involved", and only this function changes.
"""

from __future__ import annotations

from collections.abc import Sequence

from stackworks.domain.access import Principal
from stackworks.domain.errors import Forbidden


def require_secret_access(principal: Principal, stacks: Sequence[str]) -> None:
    """Raise Forbidden unless `principal` may read the secure values of all of `stacks`."""
    if not principal.is_admin:
        raise Forbidden(
            f"with_secrets: token {principal.name!r} has the {principal.role.value} role; "
            f"reading the secure values of {', '.join(stacks)} needs a server admin",
            field="with_secrets",
        )
