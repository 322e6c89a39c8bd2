"""Where local volumes and their snapshots live on the server's host, and the file work on them.

    <data_dir>/volumes/<stack_id>/<volume_id>/                 a volume's data
    <data_dir>/snapshots/<stack_id>/<volume_id>/<id>.tar.gz    its snapshots

A volume is a plain directory that instances link at their mount points (stackworks::volumes),
so it outlives their stop, start and replacement. A snapshot is a gzipped tar of it, taken while
the instance runs (crash-consistent, as an EBS snapshot is); restoring unpacks one into a new
volume's directory. The data dir is recorded in each volume's path, so the snapshot schedule,
which runs with the database alone, finds where to write from the volume itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tarfile
from pathlib import Path

VOLUMES = "volumes"
SNAPSHOTS = "snapshots"


def volume_path(data_dir: Path, stack_id: str, volume_id: str) -> Path:
    return data_dir.resolve() / VOLUMES / stack_id / volume_id


def data_dir_of(volume_dir: str | Path) -> Path:
    """The data dir a volume's directory lives under (`<data_dir>/volumes/<stack>/<id>`)."""
    return Path(volume_dir).parents[2]


def snapshot_path(data_dir: Path, stack_id: str, volume_id: str, snapshot_id: str) -> Path:
    return data_dir / SNAPSHOTS / stack_id / volume_id / f"{snapshot_id}.tar.gz"


def create_volume_dir(path: Path) -> None:
    path.mkdir(mode=0o755, parents=True, exist_ok=True)


def remove_volume_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def archive(volume_dir: Path, target: Path) -> int:
    """Pack the volume's contents into `target` (written beside, then renamed); its size."""
    target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        with tarfile.open(partial, "w:gz") as tar:
            if volume_dir.is_dir():
                for entry in sorted(volume_dir.iterdir()):
                    tar.add(entry, arcname=entry.name)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def unpack(source: Path, volume_dir: Path) -> None:
    """Unpack a snapshot into an empty volume directory; nothing may land outside it."""
    create_volume_dir(volume_dir)
    with tarfile.open(source, "r:gz") as tar:
        tar.extractall(volume_dir, filter="data")


def remove_snapshot(path: Path) -> None:
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the volume's snapshot dir, once empty
        path.parent.rmdir()


def unlink_mount(instance_root: str | None, mount_point: str, volume_dir: str) -> None:
    """Remove a local instance's link to a volume it no longer has (it is stopped), so its next
    start does not find the old data at the mount point. Only a link to that very volume."""
    if not instance_root:
        return
    link = Path(instance_root.rstrip("/") + mount_point)
    if link.is_symlink() and os.readlink(link) == volume_dir:
        link.unlink()
