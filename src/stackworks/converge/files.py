"""File-system helpers the file, template, directory and link resources share.

Writes are atomic (a temp file in the same directory, then os.replace), so a reader never sees
half a file and a failed write leaves the old one. Diffs are short and never show the content
of a sensitive file.
"""

from __future__ import annotations

import difflib
import grp
import os
import pwd
import stat
from pathlib import Path

from stackworks.converge.resource import ResourceError

DIFF_LINES = 40
SENSITIVE_DIFF = "(content hidden: sensitive)"


def owner_ids(owner: str | None, group: str | None, what: str) -> tuple[int, int]:
    """uid and gid for `owner`/`group` (-1 when not given); an unknown name fails `what`."""
    uid = gid = -1
    if owner is not None:
        try:
            uid = pwd.getpwnam(owner).pw_uid
        except KeyError:
            raise ResourceError(f"{what}: owner {owner!r} does not exist") from None
    if group is not None:
        try:
            gid = grp.getgrnam(group).gr_gid
        except KeyError:
            raise ResourceError(f"{what}: group {group!r} does not exist") from None
    return uid, gid


def attribute_changes(path: Path, mode: int | None, uid: int, gid: int) -> list[str]:
    """How an existing path's mode and ownership differ from the wanted ones."""
    info = path.lstat()
    changes = []
    if mode is not None and stat.S_IMODE(info.st_mode) != mode:
        changes.append(f"mode {stat.S_IMODE(info.st_mode):04o} -> {mode:04o}")
    if uid != -1 and info.st_uid != uid:
        changes.append(f"owner {info.st_uid} -> {uid}")
    if gid != -1 and info.st_gid != gid:
        changes.append(f"group {info.st_gid} -> {gid}")
    return changes


def set_attributes(path: Path, mode: int | None, uid: int, gid: int) -> None:
    if uid != -1 or gid != -1:
        os.chown(path, uid, gid)
    if mode is not None:
        os.chmod(path, mode)


def read_bytes(path: Path) -> bytes | None:
    """The current content of a regular file, or None when there is none."""
    try:
        if path.is_symlink() or not path.is_file():
            return None
        return path.read_bytes()
    except OSError:
        return None


def content_diff(old: bytes | None, new: bytes, path: Path, *, sensitive: bool) -> str:
    """A unified diff of old and new content, cut at DIFF_LINES lines."""
    if sensitive:
        return SENSITIVE_DIFF
    try:
        old_text = (old or b"").decode()
        new_text = new.decode()
    except UnicodeDecodeError:
        return f"(binary content, {len(old or b'')} -> {len(new)} bytes)"
    lines = list(
        difflib.unified_diff(
            old_text.splitlines(),
            new_text.splitlines(),
            fromfile=f"{path} (current)" if old is not None else "/dev/null",
            tofile=f"{path} (new)",
            lineterm="",
            n=2,
        )
    )
    if len(lines) > DIFF_LINES:
        hidden = len(lines) - DIFF_LINES
        lines = [*lines[:DIFF_LINES], f"... ({hidden} more diff lines)"]
    return "\n".join(lines)
