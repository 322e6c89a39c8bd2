"""Reading `.tar.gz`/`.tgz`/`.tar`/`.zip` archives safely, for the `archive` resource.

`members()` lists an archive as neutral `Member`s and `unsafe()` says which of them would land
outside the target directory (absolute names, `..`, links whose target leaves it, hard links to
outside, device files, entries written through a link of the same archive, links that go
through another link: a chain can leave the target though each link alone stays in), so the
resource can refuse the whole archive before anything is written. `extract()` then unpacks
into a fresh directory; tar's own "data" filter runs as a second line of defence.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Format = Literal["tar", "zip"]
SUFFIXES: tuple[tuple[str, Format], ...] = (
    (".tar.gz", "tar"),
    (".tgz", "tar"),
    (".tar", "tar"),
    (".zip", "zip"),
)
ZIP_LINK_READ_LIMIT = 4096


class ArchiveError(ValueError):
    """An archive that cannot be read or must not be unpacked; the message says why."""


@dataclass(frozen=True)
class Member:
    """One entry: its name as stored, its kind, and a link's target (symlinks, hard links)."""

    name: str
    type: Literal["file", "dir", "symlink", "hardlink", "special"]
    target: str = ""


def archive_format(name: str) -> Format:
    lowered = name.lower()
    for suffix, kind in SUFFIXES:
        if lowered.endswith(suffix):
            return kind
    raise ArchiveError(f"{name}: not a .tar.gz, .tgz, .tar or .zip archive")


def members(path: Path) -> list[Member]:
    """Every entry of the archive at `path`, in stored order."""
    kind = archive_format(path.name)
    try:
        if kind == "tar":
            with tarfile.open(path, "r:*") as tar:
                return [_tar_member(m) for m in tar.getmembers()]
        with zipfile.ZipFile(path) as archive:
            return [_zip_member(archive, info) for info in archive.infolist()]
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as error:
        raise ArchiveError(f"{path}: cannot read the archive: {error}") from None


def _tar_member(member: tarfile.TarInfo) -> Member:
    if member.issym():
        return Member(member.name, "symlink", member.linkname)
    if member.islnk():
        return Member(member.name, "hardlink", member.linkname)
    if member.isdir():
        return Member(member.name, "dir")
    if member.isfile():
        return Member(member.name, "file")
    return Member(member.name, "special")


def _zip_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Member:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        target = archive.read(info)[:ZIP_LINK_READ_LIMIT].decode(errors="replace")
        return Member(info.filename, "symlink", target)
    if info.is_dir():
        return Member(info.filename, "dir")
    return Member(info.filename, "file")


def stripped(name: str, strip_components: int) -> str | None:
    """`name` without its first `strip_components` parts; None when nothing is left."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if name.startswith("/"):
        return name  # kept absolute so `unsafe` refuses it
    rest = parts[strip_components:]
    return "/".join(rest) if rest else None


def _escapes(relative: str) -> bool:
    normal = posixpath.normpath(relative)
    return normal == ".." or normal.startswith("../") or normal.startswith("/")


def _through_link(path: str, links: set[str]) -> str | None:
    """The first link of the archive that `path` (relative, not normalised) passes through on
    its way, or None; `..` steps back lexically, as the check of each link does."""
    parts: list[str] = []
    for part in path.split("/")[:-1]:
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
        if "/".join(parts) in links:
            return "/".join(parts)
    return None


def unsafe(found: list[Member], strip_components: int = 0) -> list[str]:
    """Why each entry that would land outside the target is refused, e.g.
    `'../evil' would be written outside the target`; [] when the archive is safe."""
    problems: list[str] = []
    links = {
        posixpath.normpath(name)
        for member in found
        if member.type == "symlink" and (name := stripped(member.name, strip_components))
    }
    for member in found:
        name = stripped(member.name, strip_components)
        if name is None:
            continue
        passes = None if name.startswith("/") else _through_link(name, links)
        if passes is not None:
            problems.append(f"{member.name!r} would be written through the link {passes!r}")
        elif name.startswith("/") or (len(name) > 1 and name[1] == ":"):
            problems.append(f"{member.name!r} has an absolute path")
        elif _escapes(name):
            problems.append(f"{member.name!r} would be written outside the target")
        elif member.type == "special":
            problems.append(f"{member.name!r} is a device file or fifo")
        elif member.type == "symlink":
            if member.target.startswith("/"):
                problems.append(f"{member.name!r} links to the absolute path {member.target!r}")
            elif _escapes(posixpath.join(posixpath.dirname(name), member.target)):
                problems.append(f"{member.name!r} links outside the target ({member.target!r})")
            elif via := _through_link(
                posixpath.join(posixpath.dirname(name), member.target, "x"), links
            ):
                problems.append(f"{member.name!r} links through the link {via!r}")
        elif member.type == "hardlink":
            target = stripped(member.target, strip_components) or ""
            if not target or target.startswith("/") or _escapes(target):
                problems.append(f"{member.name!r} is a hard link to {member.target!r} outside")
            elif via := _through_link(target, links):
                problems.append(f"{member.name!r} is a hard link through the link {via!r}")
    return problems


def extract(path: Path, into: Path, strip_components: int = 0) -> int:
    """Unpack the (already checked) archive into the empty directory `into`; the entry count."""
    if archive_format(path.name) == "tar":
        return _extract_tar(path, into, strip_components)
    return _extract_zip(path, into, strip_components)


def _extract_tar(path: Path, into: Path, strip_components: int) -> int:
    with tarfile.open(path, "r:*") as tar:
        chosen = []
        for member in tar.getmembers():
            name = stripped(member.name, strip_components)
            if name is None:
                continue
            member.name = name
            if member.islnk():
                member.linkname = stripped(member.linkname, strip_components) or member.linkname
            chosen.append(member)
        tar.extractall(into, members=chosen, filter="data")
    return len(chosen)


def _extract_zip(path: Path, into: Path, strip_components: int) -> int:
    count = 0
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = stripped(info.filename, strip_components)
            if name is None:
                continue
            target = into / name
            member = _zip_member(archive, info)
            if member.type == "dir":
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                if member.type == "symlink":
                    os.symlink(member.target, target)
                else:
                    with archive.open(info) as source, target.open("wb") as sink:
                        while chunk := source.read(1 << 20):
                            sink.write(chunk)
                    mode = (info.external_attr >> 16) & 0o777
                    if mode:
                        target.chmod(mode & 0o755 | 0o644)
            count += 1
    return count


def merge_into(source: Path, destination: Path) -> None:
    """Move everything under `source` into `destination`, replacing entries of the same name
    (directories are merged), then leave `source` empty."""
    for entry in sorted(source.iterdir()):
        target = destination / entry.name
        if entry.is_dir() and not entry.is_symlink():
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                target.unlink()
            if target.is_dir():
                merge_into(entry, target)
                entry.rmdir()
                continue
        elif target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        os.replace(entry, target)
