"""user[name] and group[name]: system accounts via useradd/usermod/userdel and
groupadd/groupdel (argv only); the current state is read from the passwd and group databases."""

from __future__ import annotations

import grp
import pwd
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from stackworks.converge.resource import Plan, Resource, ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context


def _must(ctx: Context, what: str, argv: list[str]) -> None:
    result = ctx.run(argv)
    if not result.ok:
        raise ResourceError(f"{what}: {argv[0]} failed (exit {result.exit_code}): {result.tail()}")


@dataclass(eq=False, kw_only=True)
class User(Resource):
    kind: ClassVar[str] = "user"
    allowed_actions: ClassVar[tuple[str, ...]] = ("create", "remove")

    home: str | None = None
    shell: str | None = None
    system: bool = False

    def check(self, ctx: Context) -> Plan:
        try:
            entry = pwd.getpwnam(self.name)
        except KeyError:
            if "remove" in self.action:
                return Plan.noop("does not exist")
            return Plan(True, "create", data=["create"])
        if "remove" in self.action:
            return Plan(True, "remove", data=["remove"])
        changes = []
        if self.home is not None and entry.pw_dir != self.home:
            changes.append(f"home {entry.pw_dir} -> {self.home}")
        if self.shell is not None and entry.pw_shell != self.shell:
            changes.append(f"shell {entry.pw_shell} -> {self.shell}")
        if not changes:
            return Plan.noop("exists")
        return Plan(True, ", ".join(changes), data=["modify"])

    def apply(self, ctx: Context, plan: Plan) -> None:
        step = plan.data[0]
        if step == "remove":
            _must(ctx, str(self), ["userdel", "--", self.name])
            return
        options: list[str] = []
        if self.home is not None:
            options += ["--home-dir", self.home]
        if self.shell is not None:
            options += ["--shell", self.shell]
        if step == "create":
            if self.system:
                options.append("--system")
            if self.home is not None:
                options.append("--create-home")
            _must(ctx, str(self), ["useradd", *options, "--", self.name])
        else:
            _must(ctx, str(self), ["usermod", *options, "--", self.name])


@dataclass(eq=False, kw_only=True)
class Group(Resource):
    kind: ClassVar[str] = "group"
    allowed_actions: ClassVar[tuple[str, ...]] = ("create", "remove")

    members: Sequence[str] = ()
    system: bool = False

    def check(self, ctx: Context) -> Plan:
        try:
            entry = grp.getgrnam(self.name)
        except KeyError:
            if "remove" in self.action:
                return Plan.noop("does not exist")
            return Plan(True, "create", data=("create", list(self.members)))
        if "remove" in self.action:
            return Plan(True, "remove", data=("remove", []))
        missing = [m for m in self.members if m not in entry.gr_mem]
        if not missing:
            return Plan.noop("exists")
        return Plan(True, f"add members {' '.join(missing)}", data=("members", missing))

    def apply(self, ctx: Context, plan: Plan) -> None:
        step, members = plan.data
        if step == "remove":
            _must(ctx, str(self), ["groupdel", "--", self.name])
            return
        if step == "create":
            _must(
                ctx,
                str(self),
                ["groupadd", *(["--system"] if self.system else []), "--", self.name],
            )
        for member in members:
            _must(ctx, str(self), ["usermod", "--append", "--groups", self.name, "--", member])
