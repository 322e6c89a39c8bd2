"""A stack's resources: volumes and their snapshots, addresses (Elastic IPs) and registered
databases, as frozen dataclasses, with the pure checks and decisions made about them.

OpsWorks' shapes, kept where they mean something here: a Volume has a name, a mount point, a
size and the instance it is assigned to; an ElasticIp an address, a name and its instance; an
RdsDbInstance the connection details of a database someone else runs.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import quote

from stackworks.domain.errors import InvalidInput

#: the largest volume size accepted, in GiB (OpsWorks' EBS limit)
MAX_VOLUME_SIZE = 16384
#: snapshots a schedule keeps unless told otherwise (seed 001: daily, keep 15)
DEFAULT_SNAPSHOT_KEEP = 15
MAX_SNAPSHOT_KEEP = 1000
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_MOUNT_PART = re.compile(r"^[A-Za-z0-9._-]+$")
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")
#: mount points that would hide the instance's own tree
_RESERVED_MOUNTS = frozenset({"/", "/etc", "/run", "/var", "/var/log", "/agent", "/proc", "/sys"})


class VolumeStatus(StrEnum):
    """OpsWorks' volume statuses that mean something for a directory-backed volume."""

    AVAILABLE = "available"  # registered, assigned to no instance
    IN_USE = "in-use"  # assigned to an instance


class SnapshotReason(StrEnum):
    MANUAL = "manual"  # asked for by a person; kept until deleted
    SCHEDULED = "scheduled"  # taken by the volume's schedule; pruned by its retention


class DatabaseEngine(StrEnum):
    POSTGRESQL = "postgresql"
    MYSQL = "mysql"


@dataclass(frozen=True)
class VolumeConfiguration:
    """A layer's wish: every instance of the layer gets its own volume at `mount_point`."""

    mount_point: str
    size: int = 1  # GiB; a local volume is a directory and does not enforce it
    snapshot_every_hours: int = 0  # 0: no schedule
    snapshot_keep: int = DEFAULT_SNAPSHOT_KEEP


@dataclass(frozen=True)
class Volume:
    id: str
    stack_id: str
    name: str
    path: str  # where its data lives on the server's host (local: a directory)
    size: int = 1
    mount_point: str | None = None
    instance_id: str | None = None
    layer_id: str | None = None  # set when a layer's volume configuration made it
    snapshot_every_hours: int = 0
    snapshot_keep: int = DEFAULT_SNAPSHOT_KEEP
    created_at: datetime | None = None

    @property
    def status(self) -> VolumeStatus:
        return VolumeStatus.IN_USE if self.instance_id else VolumeStatus.AVAILABLE


@dataclass(frozen=True)
class Snapshot:
    id: str
    stack_id: str
    volume_id: str
    volume_name: str  # kept so a snapshot outlives its volume and can still be restored
    path: str  # the archive
    reason: SnapshotReason = SnapshotReason.MANUAL
    size_bytes: int = 0
    created_at: datetime | None = None


@dataclass(frozen=True)
class Address:
    """An Elastic IP: a stable address of the stack, associated with at most one instance."""

    id: str
    stack_id: str
    ip: str
    name: str
    instance_id: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class RegisteredDatabase:
    """A database someone else runs, registered by its connection details."""

    id: str
    stack_id: str
    name: str
    engine: DatabaseEngine
    host: str
    port: int
    database: str
    user: str
    password: str = ""  # a secure value: never shown back
    created_at: datetime | None = None

    def url(self) -> str:
        """The connection URL apps get as DATABASE_URL (it holds the password)."""
        credentials = quote(self.user, safe="")
        if self.password:
            credentials += ":" + quote(self.password, safe="")
        return (
            f"{self.engine.value}://{credentials}@{self.host}:{self.port}/"
            f"{quote(self.database, safe='')}"
        )


@dataclass(frozen=True)
class DataSource:
    """What an app reads from: OpsWorks' DataSources, here a registered database by name."""

    type: str
    name: str


# --- checks ---------------------------------------------------------------------------------


def check_resource_name(name: str, field: str = "name") -> str:
    if not _NAME.match(name or ""):
        raise InvalidInput(
            f"{field}: {name!r} must be 1-63 lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            field=field,
        )
    return name


def check_mount_point(mount_point: str, field: str = "mount_point") -> str:
    """An absolute, normalised path that does not cover the instance's own tree."""
    if not mount_point or not mount_point.startswith("/"):
        raise InvalidInput(
            f"{field}: {mount_point!r} must be an absolute path such as /srv/data", field=field
        )
    parts = mount_point.strip("/").split("/")
    if any(part in ("", ".", "..") or not _MOUNT_PART.match(part) for part in parts):
        raise InvalidInput(
            f"{field}: {mount_point!r} must be a plain path (letters, digits, '.', '_', '-' "
            "between slashes; no '..')",
            field=field,
        )
    normal = posixpath.normpath(mount_point)
    if normal in _RESERVED_MOUNTS:
        raise InvalidInput(
            f"{field}: {normal} is part of the instance's own tree; choose e.g. /srv/data",
            field=field,
        )
    return normal


def check_size(size: int, field: str = "size") -> int:
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_VOLUME_SIZE:
        raise InvalidInput(
            f"{field}: expected a size in GiB from 1 to {MAX_VOLUME_SIZE}, got {size!r}",
            field=field,
        )
    return size


def check_schedule(every_hours: int, keep: int, field: str = "snapshot") -> tuple[int, int]:
    if every_hours < 0 or every_hours > 24 * 366:
        raise InvalidInput(
            f"{field}_every_hours: expected 0 (no schedule) to {24 * 366} hours, got {every_hours}",
            field=f"{field}_every_hours",
        )
    if not 1 <= keep <= MAX_SNAPSHOT_KEEP:
        raise InvalidInput(
            f"{field}_keep: expected 1 to {MAX_SNAPSHOT_KEEP} snapshots, got {keep}",
            field=f"{field}_keep",
        )
    return every_hours, keep


def check_volume_configurations(
    configurations: Sequence[VolumeConfiguration], field: str = "volume_configurations"
) -> tuple[VolumeConfiguration, ...]:
    """Each configuration checked, and no mount point named twice."""
    seen: set[str] = set()
    checked = []
    for n, item in enumerate(configurations):
        at = f"{field}[{n}]"
        mount = check_mount_point(item.mount_point, f"{at}.mount_point")
        if mount in seen:
            raise InvalidInput(f"{at}.mount_point: {mount} is named twice", field=at)
        seen.add(mount)
        check_size(item.size, f"{at}.size")
        check_schedule(item.snapshot_every_hours, item.snapshot_keep, f"{at}.snapshot")
        checked.append(
            VolumeConfiguration(mount, item.size, item.snapshot_every_hours, item.snapshot_keep)
        )
    return tuple(checked)


def check_host(host: str, field: str = "host") -> str:
    if not _HOST.match(host or ""):
        raise InvalidInput(f"{field}: {host!r} is not a host name or address", field=field)
    return host


def check_port(port: int, field: str = "port") -> int:
    if isinstance(port, bool) or not 1 <= port <= 65535:
        raise InvalidInput(f"{field}: expected a port from 1 to 65535, got {port!r}", field=field)
    return port


def check_database_field(value: str, field: str) -> str:
    """A database or user name: non-empty, printable, no whitespace."""
    if not value or any(c.isspace() or not c.isprintable() for c in value) or len(value) > 63:
        raise InvalidInput(f"{field}: {value!r} must be 1-63 characters, no spaces", field=field)
    return value


def volume_name_for(hostname: str, mount_point: str) -> str:
    """The name of the volume a layer's configuration makes for an instance: `web1-srv-data`."""
    slug = mount_point.strip("/").replace("/", "-").lower()
    return f"{hostname}-{slug}"[:63].rstrip("-._")


# --- decisions ------------------------------------------------------------------------------


def snapshot_due(volume: Volume, last_scheduled: datetime | None, now: datetime) -> bool:
    """Whether the volume's schedule wants a snapshot at `now`: one every N hours, the first
    one N hours after the volume was made (or at once if its age is unknown)."""
    if volume.snapshot_every_hours <= 0:
        return False
    since = last_scheduled or volume.created_at
    if since is None:
        return True
    return now - since >= timedelta(hours=volume.snapshot_every_hours)


def snapshots_to_prune(snapshots: Sequence[Snapshot], keep: int) -> list[Snapshot]:
    """The scheduled snapshots beyond the newest `keep`, oldest first; manual ones stay."""
    scheduled = [s for s in snapshots if s.reason is SnapshotReason.SCHEDULED]
    newest_first = sorted(
        scheduled,
        key=lambda s: (s.created_at or datetime.min.replace(tzinfo=UTC), s.id),
        reverse=True,
    )
    return list(reversed(newest_first[keep:]))
