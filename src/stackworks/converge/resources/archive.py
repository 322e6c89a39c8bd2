"""archive[path]: the archive file at `path` unpacked into `destination`.

Idempotent by checksum: once an archive is unpacked, a marker in the destination
(`.stackworks-archives.json`) records its sha256, so the same archive is never unpacked twice
while a changed one (a new download) is. An archive with any entry that would land outside the
destination (`../`, an absolute path, a link pointing outside, a device file) is refused as a
whole, naming the entries, and nothing is unpacked. Entries are first unpacked into a fresh
directory beside the destination and moved in only when all of them were written.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from stackworks.atomic import atomic_write
from stackworks.converge import archives, checksums
from stackworks.converge.resource import Plan, Resource, ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context

MARKER = ".stackworks-archives.json"
SHOWN_PROBLEMS = 10


def unpacked(destination: Path) -> dict[str, Any]:
    """sha256 -> what was unpacked, from the destination's marker ({} if none or unreadable)."""
    try:
        data = json.loads((destination / MARKER).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(eq=False, kw_only=True)
class Archive(Resource):
    kind: ClassVar[str] = "archive"
    allowed_actions: ClassVar[tuple[str, ...]] = ("extract",)

    path: str
    destination: str = ""
    checksum: str | None = None
    strip_components: int = 0

    def check(self, ctx: Context) -> Plan:
        if not self.destination:
            raise ResourceError(f"{self}: `destination` (the directory to unpack into) is required")
        try:
            archives.archive_format(Path(self.path).name)
        except archives.ArchiveError as error:
            raise ResourceError(f"{self}: path: {error}") from None
        if self.strip_components < 0:
            raise ResourceError(f"{self}: strip_components must be 0 or more")
        wanted = checksums.parse_sha256(self.checksum, str(self)) if self.checksum else None
        path = Path(self.path)
        destination = Path(self.destination)
        current = checksums.file_sha256(path)
        if current is None:
            if ctx.dry_run:  # a remote_file before this one would have downloaded it
                if wanted is not None and wanted in unpacked(destination):
                    return Plan.noop(f"sha256 {wanted[:12]} already unpacked")
                return Plan(True, f"unpack into {destination} (the archive is not there yet)")
            raise ResourceError(f"{self}: the archive {path} does not exist")
        if wanted is not None and current != wanted:
            if ctx.dry_run:  # a remote_file before this one would replace the archive first
                return Plan(True, f"unpack sha256 {wanted[:12]} into {destination}")
            raise ResourceError(
                f"{self}: checksum mismatch: expected sha256:{wanted}, got sha256:{current}; "
                "nothing was unpacked"
            )
        if current in unpacked(destination) and destination.is_dir():
            return Plan.noop(f"sha256 {current[:12]} already unpacked")
        try:
            found = archives.members(path)
        except archives.ArchiveError as error:
            raise ResourceError(f"{self}: {error}") from None
        problems = archives.unsafe(found, self.strip_components)
        if problems:
            shown = "\n".join(f"  {p}" for p in problems[:SHOWN_PROBLEMS])
            more = len(problems) - SHOWN_PROBLEMS
            tail = f"\n  ... and {more} more" if more > 0 else ""
            raise ResourceError(
                f"{self}: refusing to unpack into {destination}: {len(problems)} unsafe "
                f"entr{'y' if len(problems) == 1 else 'ies'}; nothing was unpacked:\n{shown}{tail}"
            )
        return Plan(True, f"unpack {len(found)} entries into {destination}", data=current)

    def apply(self, ctx: Context, plan: Plan) -> None:
        digest: str = plan.data
        path = Path(self.path)
        destination = Path(self.destination)
        destination.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{destination.name}.unpack."
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=destination.parent))
        try:
            count = archives.extract(path, staging, self.strip_components)
            destination.mkdir(parents=True, exist_ok=True)
            archives.merge_into(staging, destination)
        except (archives.ArchiveError, OSError, ValueError) as error:
            raise ResourceError(f"{self}: unpacking failed: {error}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        record = unpacked(destination)
        record[digest] = {"archive": str(path), "entries": count}
        text = json.dumps(record, indent=2, sort_keys=True) + "\n"
        atomic_write(destination / MARKER, text.encode(), mode=0o644)
