"""file[path]: a regular file with given content (inline, or from the cookbook's files/).

Content is replaced atomically; with `verify`, the new content is first written to a temp
file and the command (argv, "{path}" standing for that temp file) must succeed, or the old file
stays untouched and the resource fails with the command's own output.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from stackworks.atomic import atomic_write
from stackworks.converge import files
from stackworks.converge.resource import Plan, Resource, ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context

PATH_PLACEHOLDER = "{path}"


@dataclass(eq=False, kw_only=True)
class File(Resource):
    kind: ClassVar[str] = "file"
    allowed_actions: ClassVar[tuple[str, ...]] = ("create", "delete")

    path: str
    content: str | bytes | None = None
    source: str | None = None
    files_dir: Path | None = None
    mode: int | None = 0o644
    owner: str | None = None
    group: str | None = None
    verify: Sequence[str] | None = None

    def desired_content(self, ctx: Context) -> bytes | None:
        """The bytes the file must hold, or None to leave existing content alone."""
        if self.content is not None:
            return self.content.encode() if isinstance(self.content, str) else self.content
        if self.source is not None:
            source = Path(self.source)
            if not source.is_absolute() and self.files_dir is not None:
                source = self.files_dir / self.source
            try:
                return source.read_bytes()
            except OSError as error:
                raise ResourceError(f"{self}: cannot read source {source}: {error}") from None
        return None

    def check(self, ctx: Context) -> Plan:
        path = Path(self.path)
        if "delete" in self.action:
            if path.exists() or path.is_symlink():
                return Plan(True, "delete")
            return Plan.noop("already absent")
        if path.is_dir() and not path.is_symlink():
            raise ResourceError(f"{self}: {path} is a directory")
        new = self.desired_content(ctx)
        old = files.read_bytes(path)
        exists = path.exists()
        uid, gid = files.owner_ids(self.owner, self.group, str(self))
        what: list[str] = []
        diff = ""
        write: bytes | None = None
        if not exists:
            write = new if new is not None else b""
            what.append("create")
            diff = files.content_diff(None, write, path, sensitive=self.sensitive)
        elif new is not None and new != old:
            write = new
            what.append("update content")
            diff = files.content_diff(old, new, path, sensitive=self.sensitive)
        if exists and write is None:
            what.extend(files.attribute_changes(path, self.mode, uid, gid))
        if not what:
            return Plan.noop("up to date")
        return Plan(True, ", ".join(what), diff, data=write)

    def apply(self, ctx: Context, plan: Plan) -> None:
        path = Path(self.path)
        if "delete" in self.action:
            path.unlink()
            return
        uid, gid = files.owner_ids(self.owner, self.group, str(self))
        if not path.parent.is_dir():
            raise ResourceError(f"{self}: directory {path.parent} does not exist")
        data: Any = plan.data
        if data is None:
            files.set_attributes(path, self.mode, uid, gid)
            return
        if self.verify:
            self._verify(ctx, path, data)
        atomic_write(
            path, data, mode=self.mode if self.mode is not None else 0o644, uid=uid, gid=gid
        )

    def _verify(self, ctx: Context, path: Path, data: bytes) -> None:
        """Run the verify command on a temp copy of the new content; fail on non-zero."""
        import tempfile

        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.verify.", dir=path.parent)
        try:
            with open(fd, "wb") as handle:
                handle.write(data)
            argv = [arg.replace(PATH_PLACEHOLDER, temp) for arg in self.verify or ()]
            result = ctx.run(argv)
        finally:
            Path(temp).unlink(missing_ok=True)
        if not result.ok:
            output = result.tail().replace(temp, str(path))
            raise ResourceError(
                f"{self}: verify command {argv[0]} failed (exit {result.exit_code}); "
                f"the file was left unchanged:\n{output}"
            )
