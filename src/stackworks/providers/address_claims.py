"""Loopback addresses claimed across every Stackworks data dir on this host.

Each server's database knows only its own instances, so two servers on one host (the demo in
./.stackworks and a test run, say) would both hand out 127.77.0.1 and collide on its ports. A
claim is a file named after the address in one host-wide directory, holding the data dir that
owns it; a claim whose data dir no longer exists is stale and may be taken over. An address
something already listens on is never handed out either.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

_LISTEN = "0A"  # TCP_LISTEN in /proc/net/tcp


def claims_dir() -> Path:
    return Path(
        os.environ.get("STACKWORKS_ADDRESS_CLAIMS")
        or Path(tempfile.gettempdir()) / "stackworks-addresses"
    )


def claim(address: str, owner: Path) -> bool:
    """Claim `address` for the data dir `owner`; True if it is now (or already was) owner's."""
    directory = claims_dir()
    directory.mkdir(mode=0o755, parents=True, exist_ok=True)
    path = directory / address
    owner_text = str(owner.resolve())
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except FileExistsError:
        holder = _holder(path)
        if holder == owner_text:
            return True
        if holder and Path(holder).exists():
            return False
        stale = path.with_name(f".{address}.{os.getpid()}")
        stale.write_text(owner_text)
        os.replace(stale, path)  # the holder's data dir is gone: take the address over
        return True
    with os.fdopen(fd, "w") as handle:
        handle.write(owner_text)
    return True


def release(address: str, owner: Path) -> None:
    """Give `address` back, if `owner` holds it."""
    path = claims_dir() / address
    if _holder(path) == str(owner.resolve()):
        path.unlink(missing_ok=True)


def listened_on(address: str) -> bool:
    """Whether any TCP socket on this host listens on `address` (read from /proc/net/tcp)."""
    wanted = socket.inet_aton(address)[::-1].hex().upper()
    try:
        lines = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return False
    for line in lines:
        fields = line.split()
        if len(fields) > 3 and fields[3] == _LISTEN and fields[1].split(":")[0] == wanted:
            return True
    return False


def _holder(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""
