"""directory[path]: a directory with a mode and owner (parents created when `recursive`).

Deleting removes the whole tree: a release directory goes with everything in it.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from stackworks.converge import files
from stackworks.converge.resource import Plan, Resource, ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context


@dataclass(eq=False, kw_only=True)
class Directory(Resource):
    kind: ClassVar[str] = "directory"
    allowed_actions: ClassVar[tuple[str, ...]] = ("create", "delete")

    path: str
    mode: int | None = 0o755
    owner: str | None = None
    group: str | None = None
    recursive: bool = True

    def check(self, ctx: Context) -> Plan:
        path = Path(self.path)
        if "delete" in self.action:
            if path.is_symlink() or path.exists():
                return Plan(True, "delete")
            return Plan.noop("already absent")
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise ResourceError(f"{self}: {path} exists and is not a directory")
        if not path.exists():
            if not self.recursive and not path.parent.is_dir():
                raise ResourceError(f"{self}: parent {path.parent} does not exist")
            return Plan(True, "create")
        uid, gid = files.owner_ids(self.owner, self.group, str(self))
        changes = files.attribute_changes(path, self.mode, uid, gid)
        if not changes:
            return Plan.noop("up to date")
        return Plan(True, ", ".join(changes))

    def apply(self, ctx: Context, plan: Plan) -> None:
        path = Path(self.path)
        if "delete" in self.action:
            if path.is_symlink() or path.is_file():
                path.unlink()
            else:
                shutil.rmtree(path)
            return
        uid, gid = files.owner_ids(self.owner, self.group, str(self))
        path.mkdir(parents=self.recursive, exist_ok=True)
        files.set_attributes(path, self.mode, uid, gid)
