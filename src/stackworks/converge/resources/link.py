"""link[path]: a symbolic link to `to`. Re-pointing is atomic (temp link, then os.replace),
so a reader of `current` sees the old release or the new one, never nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from stackworks.converge.resource import Plan, Resource, ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context


@dataclass(eq=False, kw_only=True)
class Link(Resource):
    kind: ClassVar[str] = "link"
    allowed_actions: ClassVar[tuple[str, ...]] = ("create", "delete")

    path: str
    to: str = ""

    def check(self, ctx: Context) -> Plan:
        path = Path(self.path)
        if "delete" in self.action:
            if path.is_symlink():
                return Plan(True, "delete")
            if path.exists():
                raise ResourceError(f"{self}: {path} exists and is not a link")
            return Plan.noop("already absent")
        if not self.to:
            raise ResourceError(f"{self}: `to` (the link target) is required")
        if path.is_symlink():
            current = os.readlink(path)
            if current == self.to:
                return Plan.noop(f"already points to {self.to}")
            return Plan(True, f"re-point {current} -> {self.to}")
        if path.exists():
            raise ResourceError(f"{self}: {path} exists and is not a link")
        return Plan(True, f"create -> {self.to}")

    def apply(self, ctx: Context, plan: Plan) -> None:
        path = Path(self.path)
        if "delete" in self.action:
            path.unlink()
            return
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.unlink(missing_ok=True)
        os.symlink(self.to, temp)
        try:
            os.replace(temp, path)
        except OSError:
            temp.unlink(missing_ok=True)
            raise
