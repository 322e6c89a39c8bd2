"""execute[name]: run a command. It always runs unless `creates` exists or a guard says not to,
so it is the one resource that is not idempotent by itself: give it a guard where you can."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from stackworks.converge.resource import Plan, Resource, ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context


@dataclass(eq=False, kw_only=True)
class Execute(Resource):
    kind: ClassVar[str] = "execute"
    allowed_actions: ClassVar[tuple[str, ...]] = ("run", "nothing")

    command: Sequence[str] = ()
    cwd: str | None = None
    env: Mapping[str, str] | None = None
    user: str | None = None
    creates: str | None = None
    timeout: float | None = None
    returns: Sequence[int] = field(default=(0,))

    def check(self, ctx: Context) -> Plan:
        if not self.command:
            raise ResourceError(f"{self}: `command` (an argv list) is required")
        if "nothing" in self.action:
            return Plan.noop("action nothing (runs only when notified)")
        if self.creates and Path(self.creates).exists():
            return Plan.noop(f"{self.creates} exists")
        return Plan(True, f"run {self.command[0]}")

    def apply(self, ctx: Context, plan: Plan) -> None:
        result = ctx.run(
            self.command, cwd=self.cwd, env=self.env, timeout=self.timeout, user=self.user
        )
        output = result.output.rstrip()
        if output and not self.sensitive:
            for line in output.splitlines():
                ctx.log(f"    {line}")
        if result.exit_code not in tuple(self.returns):
            detail = "" if self.sensitive else f":\n{result.tail()}"
            status = (
                "timed out or could not start"
                if result.exit_code is None
                else (f"exited {result.exit_code}")
            )
            raise ResourceError(f"{self}: {self.command[0]} {status}{detail}")
