"""What the principal may do on one stack, for templates to hide the controls it may not use.

The level comes from the same store function the route declarations ask (`held_by`), so a
hidden button and a refused request always agree; the server refuses anyway.

    level = stack_level(session, principal, stack)
    render(request, "x.html", {"can": Can(level)})   # {% if can.manage %}<button>...{% endif %}
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from stackworks.domain.access import Level, Principal
from stackworks.domain.entities import Stack
from stackworks.store import permissions as permission_store


def stack_level(session: Session, principal: Principal, stack: Stack) -> Level:
    """The level `principal` holds on `stack` (manage for a server admin)."""
    return permission_store.held_by(session, principal, stack.id)


@dataclass(frozen=True)
class Can:
    """A level as the questions templates ask of it."""

    level: Level

    @property
    def show(self) -> bool:
        return self.level.includes(Level.SHOW)

    @property
    def deploy(self) -> bool:
        return self.level.includes(Level.DEPLOY)

    @property
    def manage(self) -> bool:
        return self.level.includes(Level.MANAGE)
