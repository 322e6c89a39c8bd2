"""Who may do what: users, per-stack permission levels (OpsWorks' deny, show, deploy, manage),
server admins above all, and the declaration each API route makes of what it needs.

Pure decisions, no I/O: the API resolves the caller and the stack, then asks `decide` whether
the route's `RouteAccess` lets the caller in, and with which refusal if not.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum


class Level(StrEnum):
    """A user's permission level on one stack; each includes everything the ones before allow."""

    DENY = "deny"  # nothing: the stack is not even listed, and answers as unknown
    SHOW = "show"  # read the stack and everything in it (secure values stay masked)
    DEPLOY = "deploy"  # show + deployments (every command) and app updates
    MANAGE = "manage"  # everything in the stack, including its permissions

    @property
    def rank(self) -> int:
        return _RANK[self]

    def includes(self, needed: Level) -> bool:
        """Whether holding this level allows what `needed` allows."""
        return self.rank >= needed.rank


_RANK = {Level.DENY: 0, Level.SHOW: 1, Level.DEPLOY: 2, Level.MANAGE: 3}


class Role(StrEnum):
    """The roles of the first API (`/tokens`), kept as a view of users for old clients."""

    ADMIN = "admin"  # a server admin
    DEPLOY = "deploy"  # a user with deploy on every stack, present and future
    USER = "user"  # a user with per-stack permissions only (shown, never accepted by /tokens)


@dataclass(frozen=True)
class Principal:
    """The user behind an API token: what a route's declaration is checked against.

    `default_level` is the level on every stack without an explicit permission (deny unless
    the user came from a deploy token). The API puts it on `request.state.principal`.
    """

    user_id: str
    name: str
    is_admin: bool = False
    default_level: Level = Level.DENY

    @property
    def role(self) -> Role:
        if self.is_admin:
            return Role.ADMIN
        return Role.DEPLOY if self.default_level is Level.DEPLOY else Role.USER

    def level_on(self, explicit: Level | None) -> Level:
        """The effective level on a stack, given the explicit permission there (if any).

        A server admin holds manage everywhere; otherwise an explicit permission wins over
        the default level, so a deny can take a stack away from a deploy-everywhere user.
        """
        if self.is_admin:
            return Level.MANAGE
        return explicit if explicit is not None else self.default_level


@dataclass(frozen=True)
class Permission:
    """One user's permission on one stack (OpsWorks' SetPermission)."""

    stack_id: str
    user_id: str
    level: Level
    allow_ssh: bool = False
    allow_sudo: bool = False


# --- what a route needs ---------------------------------------------------------------------


class Audience(Enum):
    """Who a route is for."""

    ANONYMOUS = "anonymous"  # no credential at all: only the console's login
    ANY_USER = "any user"  # any valid user token, whatever its levels
    STACK = "stack"  # a user holding at least `level` on the stack in the path
    SERVER_ADMIN = "server admin"  # a user with the admin flag
    AGENT = "agent"  # an instance's agent credential, never a user token
    REGISTRATION = "registration"  # an unspent registration token (stackworks agent register)


@dataclass(frozen=True)
class RouteAccess:
    """The one declaration every API route makes of who may call it."""

    audience: Audience
    level: Level | None = None  # only for Audience.STACK

    def describe(self) -> str:
        if self.audience is Audience.STACK and self.level is not None:
            return f"{self.level.value} on the stack"
        return self.audience.value


class Refusal(Enum):
    """Why a caller is turned away, which the API answers with one status each."""

    UNAUTHENTICATED = 401  # no valid credential of the kind the route takes
    HIDDEN = 404  # below show on the stack: answered as if the stack did not exist
    FORBIDDEN = 403  # known and visible, but below what the route needs


@dataclass(frozen=True)
class Decision:
    """`decide`'s answer: allowed, or refused with a reason and a message for the caller."""

    refusal: Refusal | None = None
    message: str = ""

    @property
    def allowed(self) -> bool:
        return self.refusal is None


ALLOWED = Decision()


def decide_stack(access: RouteAccess, principal: Principal, stack: str, held: Level) -> Decision:
    """Whether `principal`, holding `held` on stack `stack`, may call a stack route."""
    needed = access.level or Level.SHOW
    if not held.includes(Level.SHOW):
        return Decision(Refusal.HIDDEN, f"stack {stack!r} not found")
    if not held.includes(needed):
        return Decision(
            Refusal.FORBIDDEN,
            f"this needs {needed.value} on stack {stack!r}; "
            f"user {principal.name!r} has {held.value}",
        )
    return ALLOWED


def decide_admin(principal: Principal) -> Decision:
    """Whether `principal` may call a server-admin route."""
    if principal.is_admin:
        return ALLOWED
    return Decision(
        Refusal.FORBIDDEN,
        f"this needs a server admin; user {principal.name!r} is not one "
        f"(role {principal.role.value})",
    )
