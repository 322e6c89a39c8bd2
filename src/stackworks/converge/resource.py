"""What every resource shares: its name and actions, guards, notifications, where it was declared.

A resource is a declaration of desired state. The engine asks it `check(ctx)` for a `Plan`
(what differs, or why nothing does) and, unless the run is a dry run, `apply(ctx, plan)`.
Kind-specific classes live in `stackworks.converge.resources`, one module each.

ConvergeError
 ├── ResourceError   a resource could not reach its desired state (its message says why)
 └── RecipeError     a recipe called `r.fail`, or could not be loaded or declared
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

if TYPE_CHECKING:
    from stackworks.converge.context import Context

Guard = Sequence[str] | Callable[[], bool]
Timing = Literal["delayed", "immediately"]

_PACKAGE_DIR = str(Path(__file__).resolve().parent)


class ConvergeError(Exception):
    """Base of the errors a converge run reports (never shown with a traceback)."""


class ResourceError(ConvergeError):
    pass


class RecipeError(ConvergeError):
    pass


#: the properties that hold a command: each must be an argv list, never one string
ARGV_PROPERTIES = ("command", "verify", "only_if", "not_if")


def refuse_shell_string(owner: str, prop: str, value: object) -> None:
    """A command given as one string would need a shell to split it, and a shell would also
    expand whatever data is in it; Stackworks runs argv lists only, so a string is refused."""
    if isinstance(value, str):
        raise RecipeError(
            f"{owner}: {prop} must be an argv list such as ['systemctl', 'reload', 'x'], not "
            f"the string {value!r}: commands never run through a shell"
        )


@dataclass(frozen=True)
class Declared:
    """Where a resource was declared: the recipe and the file:line of the declaring call."""

    recipe: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def declared_at(recipe: str) -> Declared:
    """The first caller outside the converge package: the recipe (or its helper) line."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not str(Path(filename).resolve()).startswith(_PACKAGE_DIR):
            return Declared(recipe, filename, frame.f_lineno)
        frame = frame.f_back  # type: ignore[assignment]
    return Declared(recipe, "<unknown>", 0)


@dataclass(frozen=True)
class Plan:
    """The outcome of `check()`: whether the resource must act, and a human summary.

    `summary` says what would change, or why nothing needs to (the no-op reason); `diff` is a
    short unified diff for content; `data` carries what `check()` computed for `apply()`.
    """

    changed: bool
    summary: str
    diff: str = ""
    data: Any = None

    @classmethod
    def noop(cls, reason: str) -> Plan:
        return cls(False, reason)


@dataclass(frozen=True)
class Notification:
    action: str
    target: Resource
    timing: Timing


@dataclass(eq=False)
class Resource:
    """The base of every resource kind; subclasses add their properties as dataclass fields."""

    kind: ClassVar[str] = "resource"
    allowed_actions: ClassVar[tuple[str, ...]] = ()

    name: str
    action: tuple[str, ...]
    declared: Declared
    only_if: Guard | None = None
    not_if: Guard | None = None
    ignore_failure: bool = False
    sensitive: bool = False
    notifications: list[Notification] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        for prop in ARGV_PROPERTIES:
            refuse_shell_string(str(self), prop, getattr(self, prop, None))
        for action in self.action:
            if action not in self.allowed_actions:
                raise RecipeError(
                    f"{self}: unknown action {action!r} "
                    f"(expected one of {', '.join(self.allowed_actions)})"
                )

    def __str__(self) -> str:
        return f"{self.kind}[{self.name}]"

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.name)

    def notifies(self, action: str, target: Resource, timing: Timing = "delayed") -> Self:
        """Run `action` on `target` when this resource changed: at the end of the run
        (delayed, once per target and action) or right after this one (immediately)."""
        if timing not in ("delayed", "immediately"):
            raise RecipeError(f"{self}: timing must be 'delayed' or 'immediately', not {timing!r}")
        if action not in target.allowed_actions:
            raise RecipeError(
                f"{self} notifies {target}: unknown action {action!r} "
                f"(expected one of {', '.join(target.allowed_actions)})"
            )
        self.notifications.append(Notification(action, target, timing))
        return self

    def subscribes(self, action: str, source: Resource, timing: Timing = "delayed") -> Self:
        """Sugar for `source.notifies(action, self, timing)`."""
        source.notifies(action, self, timing)
        return self

    def with_action(self, action: str) -> Self:
        """A shallow copy that performs `action` alone (what a notification runs)."""
        clone = copy.copy(self)
        clone.action = (action,)
        clone.notifications = []
        return clone

    def check(self, ctx: Context) -> Plan:
        """Compare current with desired state; must not change anything."""
        raise NotImplementedError

    def apply(self, ctx: Context, plan: Plan) -> None:
        """Bring current state to desired state, given the plan `check()` returned."""
        raise NotImplementedError


def as_actions(action: str | Sequence[str]) -> tuple[str, ...]:
    return (action,) if isinstance(action, str) else tuple(action)
