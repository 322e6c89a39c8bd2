"""The pure decisions of the `zeoserver` cookbook: nothing here touches the disk or the network.

Where the ZODB lives (a volume or the instance's own disk), what zeo.conf says, which online
instance of the layer is the pack singleton, and which repozo backups retention drops.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stackworks.cookbooks.values import positive as positive

#: the service name of the ZEO server under the instance's service manager
SERVICE = "zeoserver"

#: repozo's file names: the UTC time of the backup, then its kind
_BACKUP = re.compile(r"^(\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2})\.(fsz?|deltafsz?|dat|index)$")
_FULL = ("fs", "fsz")
_SAFE = re.compile(r"^[^\s#<>$]+$")


@dataclass(frozen=True)
class DataPaths:
    """Where one ZEO server keeps its data: `var` holds all of it. `on_volume`: `var` is an
    instance volume's mount path, made (on a local instance, as a link) by stackworks::volumes,
    so the cookbook must not declare it a directory of its own."""

    var: str
    on_volume: bool = False

    @property
    def filestorage(self) -> str:
        return posixpath.join(self.var, "filestorage", "Data.fs")

    @property
    def blobstorage(self) -> str:
        return posixpath.join(self.var, "blobstorage")

    @property
    def backups(self) -> str:
        return posixpath.join(self.var, "backups")


def data_paths(srv: str, volumes: Iterable[Mapping[str, Any]], mount_point: str) -> DataPaths:
    """The data directory: the volume mounted at `mount_point` when this instance has one
    (its `mount_path`, what the instance sees), else `<srv>/zeoserver/var`."""
    wanted = mount_point.rstrip("/")
    for volume in volumes:
        if str(volume.get("mount_point", "")).rstrip("/") == wanted:
            return DataPaths(str(volume["mount_path"]).rstrip("/"), on_volume=True)
    return DataPaths(posixpath.join(srv, "zeoserver", "var"))


def render_zeo_conf(
    *, address: str, port: int, data: DataPaths, blob_dir: str | None, log: str, pid: str
) -> str:
    """zeo.conf: one filestorage named `1` (what the clients ask for) with its blobs in
    `blob_dir` (a shared directory) or else next to it, served at address:port."""
    _check_port(port, "zeoserver.port")
    for name, value in (("address", address), ("blob dir", blob_dir or data.blobstorage)):
        if not _SAFE.match(value):
            raise ValueError(f"zeoserver: {name} {value!r} cannot be written into zeo.conf")
    return "\n".join(
        [
            "# Written by the zeoserver cookbook; changes here are replaced on configure.",
            "<zeo>",
            f"  address {address}:{port}",
            "  read-only false",
            "  invalidation-queue-size 100",
            f"  pid-filename {pid}",
            "</zeo>",
            "",
            "<filestorage 1>",
            f"  path {data.filestorage}",
            f"  blob-dir {blob_dir or data.blobstorage}",
            "</filestorage>",
            "",
            "<eventlog>",
            "  level INFO",
            "  <logfile>",
            f"    path {log}",
            "    format %(asctime)s %(message)s",
            "  </logfile>",
            "</eventlog>",
            "",
        ]
    )


def pack_singleton(layer_instances: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The hostname of the instance that packs: the first online one of the layer, by name."""
    online = sorted(h for h, i in layer_instances.items() if i.get("status", "online") == "online")
    return online[0] if online else None


def backups_to_prune(names: Sequence[str], keep: int) -> list[str]:
    """repozo files to delete so that the newest `keep` full backups remain, each with the
    incrementals (and index files) that follow it; names that are not repozo's are kept."""
    if keep < 1:
        raise ValueError(f"zeoserver.backup_keep: expected a positive integer, got {keep!r}")
    stamped = sorted((m.group(1), m.group(2), n) for n in names if (m := _BACKUP.match(n)))
    fulls = sorted({stamp for stamp, kind, _ in stamped if kind in _FULL})
    if len(fulls) <= keep:
        return []
    oldest_kept = fulls[-keep]
    return [name for stamp, _kind, name in stamped if stamp < oldest_kept]


def backup_command(repozo: str, data: DataPaths, *, full: bool) -> list[str]:
    """repozo's backup: incremental unless `full` (repozo makes a full one when none exists)."""
    argv = [repozo, "--backup", "--gzip", "-r", data.backups, "-f", data.filestorage]
    return [*argv, "--full"] if full else argv


def restore_command(repozo: str, data: DataPaths, output: str, date: str | None) -> list[str]:
    """repozo's restore into `output` (a fresh file), to the latest backup or to `date`
    (`YYYY-MM-DD[-HH[-MM[-SS]]]`, repozo's own format)."""
    if date is not None and not re.match(r"^\d{4}-\d{2}-\d{2}(-\d{2}){0,3}$", date):
        raise ValueError(f"args.date: expected YYYY-MM-DD[-HH[-MM[-SS]]], got {date!r}")
    argv = [repozo, "--recover", "-r", data.backups, "-o", output]
    return [*argv, "-D", date] if date else argv


def pins_key(pins: str) -> str:
    """The name of the venv made for a set of pins: a digest of their text."""
    return hashlib.sha256(pins.encode()).hexdigest()[:12]


def _check_port(port: Any, name: str) -> None:
    if positive(port, name) > 65535:
        raise ValueError(f"{name}: {port} is not a port (1-65535)")
