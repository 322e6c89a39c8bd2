"""mount[path]: a directory made to appear at the mount point `path`.

Kinds: `bind` (`device` is a local directory) and `nfs` (`device` is `host:/export`). What is
done follows one decision table (`how`):

| kind | where                      | done as                                         |
|------|----------------------------|-------------------------------------------------|
| bind | local instance, or not root | a symlink `path` -> `device`                   |
| bind | registered host, as root   | `mount --bind device path`                      |
| nfs  | registered host, as root   | `mount -t nfs [-o options] device path`         |
| nfs  | registered host, not root  | refused: mounting NFS needs root               |
| nfs  | local instance + fallback  | a symlink `path` -> `fallback`                  |
| nfs  | local instance, no fallback| refused, saying to give `fallback`             |

Real mounts are read from `/proc/self/mounts`; a symlink is re-pointed atomically, and an
existing non-empty directory at the mount point is never replaced by one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

from stackworks.converge.resource import Plan, Resource, ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context

Way = Literal["symlink", "bind", "nfs"]
KINDS = ("bind", "nfs")


def how(kind: str, *, local: bool, root: bool, fallback: bool) -> Way:
    """The decision table above; a refusal is a `ResourceError` whose message says why."""
    if kind == "bind":
        return "symlink" if local or not root else "bind"
    if kind == "nfs":
        if local:
            if fallback:
                return "symlink"
            raise ResourceError(
                "nfs cannot be mounted on a local instance: give `fallback`, a local directory "
                "the stack's local instances share, to link instead"
            )
        if not root:
            raise ResourceError("mounting nfs needs root on the host")
        return "nfs"
    raise ResourceError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")


def _unescape(field_text: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes (\\040)."""
    out, i = [], 0
    while i < len(field_text):
        if field_text[i] == "\\" and field_text[i + 1 : i + 4].isdigit():
            out.append(chr(int(field_text[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field_text[i])
            i += 1
    return "".join(out)


def parse_mounts(text: str) -> dict[str, tuple[str, str]]:
    """Mount point -> (device, fstype); the last mount of a point wins (it is the visible one)."""
    found: dict[str, tuple[str, str]] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            found[_unescape(parts[1])] = (_unescape(parts[0]), parts[2])
    return found


@dataclass(eq=False, kw_only=True)
class Mount(Resource):
    kind: ClassVar[str] = "mount"
    allowed_actions: ClassVar[tuple[str, ...]] = ("mount", "umount")
    mounts_table: ClassVar[str] = "/proc/self/mounts"

    path: str
    device: str = ""
    fstype: str = "bind"
    options: Sequence[str] = field(default_factory=tuple)
    fallback: str | None = None

    def way(self, ctx: Context) -> Way:
        local = ctx.roots.get("root", "/") != "/"
        try:
            return how(
                self.fstype,
                local=local,
                root=os.geteuid() == 0,
                fallback=bool(self.fallback),
            )
        except ResourceError as error:
            raise ResourceError(f"{self}: {error}") from None

    def source(self, way: Way) -> str:
        return str(self.fallback) if self.fstype == "nfs" and way == "symlink" else self.device

    def mounts(self) -> dict[str, tuple[str, str]]:
        try:
            return parse_mounts(Path(self.mounts_table).read_text())
        except OSError as error:
            raise ResourceError(f"{self}: cannot read {self.mounts_table}: {error}") from None

    def check(self, ctx: Context) -> Plan:
        if not self.device:
            raise ResourceError(f"{self}: device is required (a directory, or host:/export)")
        if self.fstype == "nfs" and ":" not in self.device:
            raise ResourceError(f"{self}: device must be host:/export for nfs, got {self.device!r}")
        way = self.way(ctx)
        path = Path(self.path)
        if way == "symlink":
            return self._check_link(path, self.source(way))
        mounted = self.mounts().get(str(path))
        if "umount" in self.action:
            return Plan(True, "umount", data=way) if mounted else Plan.noop("not mounted")
        if mounted is not None:
            device, fstype = mounted
            if way == "nfs" and device != self.device:
                raise ResourceError(f"{self}: {path} already has {device} ({fstype}) mounted")
            return Plan.noop(f"mounted ({fstype})")
        if way == "bind" and not Path(self.device).is_dir():
            raise ResourceError(f"{self}: device: directory {self.device} does not exist")
        return Plan(True, f"mount {self.device} ({self.fstype}) at {path}", data=way)

    def _check_link(self, path: Path, target: str) -> Plan:
        if "umount" in self.action:
            if path.is_symlink():
                return Plan(True, f"remove the link to {os.readlink(path)}", data="symlink")
            return Plan.noop("not linked")
        if not Path(target).is_dir():
            field_name = "fallback" if target == self.fallback else "device"
            raise ResourceError(f"{self}: {field_name}: directory {target} does not exist")
        if path.is_symlink():
            current = os.readlink(path)
            if current == target:
                return Plan.noop(f"linked to {target}")
            return Plan(True, f"re-link {current} -> {target}", data="symlink")
        if path.is_dir() and any(path.iterdir()):
            raise ResourceError(
                f"{self}: {path} is a non-empty directory; move its content to {target} first"
            )
        if path.exists() and not path.is_dir():
            raise ResourceError(f"{self}: {path} exists and is not a directory or a link")
        return Plan(True, f"link to {target} (a bind without mounting)", data="symlink")

    def apply(self, ctx: Context, plan: Plan) -> None:
        way: Way = plan.data
        path = Path(self.path)
        if way == "symlink":
            self._apply_link(path, self.source(way))
            return
        if "umount" in self.action:
            self._must(ctx, ["umount", str(path)])
            return
        path.mkdir(parents=True, exist_ok=True)
        if way == "bind":
            self._must(ctx, ["mount", "--bind", self.device, str(path)])
        else:
            opts = ["-o", ",".join(self.options)] if self.options else []
            self._must(ctx, ["mount", "-t", "nfs", *opts, self.device, str(path)])

    def _apply_link(self, path: Path, target: str) -> None:
        if "umount" in self.action:
            path.unlink()
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            path.rmdir()  # empty: checked above
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.unlink(missing_ok=True)
        os.symlink(target, temp)
        try:
            os.replace(temp, path)
        except OSError:
            temp.unlink(missing_ok=True)
            raise

    def _must(self, ctx: Context, argv: list[str]) -> None:
        result = ctx.run(argv, timeout=120)
        if not result.ok:
            raise ResourceError(
                f"{self}: {argv[0]} failed (exit {result.exit_code}): {result.tail()}"
            )
