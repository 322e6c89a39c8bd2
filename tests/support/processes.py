"""Helpers that let a test prove it leaves no process behind and talk only to loopback.

Tests that start real programs (supervisord, haproxy, gunicorn, postgres) start them in a new
session (`start_new_session=True`), so the session id is the leader's pid and every descendant
can be found and ended by it, never by name. `wait_until` replaces bare `sleep` calls with a
bounded poll that says what it was waiting for when it gives up.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_PROC = Path("/proc")


def session_pids(sid: int) -> list[int]:
    """Every live process whose session id is `sid`, in pid order (zombies included)."""
    pids: list[int] = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            if os.getsid(pid) == sid:
                pids.append(pid)
        except (ProcessLookupError, PermissionError):
            continue  # gone between listing and asking, or not ours to see
    return sorted(pids)


def live_session_pids(sid: int) -> list[int]:
    """Like `session_pids`, without zombies: the processes still able to do something."""
    return [pid for pid in session_pids(sid) if _state(pid) not in {"Z", "X", None}]


def descendant_pids(pid: int) -> list[int]:
    """Every live descendant of `pid`, by parent links, whatever session it moved to.

    Some servers (PostgreSQL) put each child in its own session, so `session_pids` of the
    leader does not see them; this does, as long as the parent is still alive.
    """
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None and fields[0] not in {"Z", "X"}:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return sorted(found)


def is_alive(pid: int) -> bool:
    """True if `pid` exists and is not a zombie."""
    return _state(pid) not in {"Z", "X", None}


def _state(pid: int) -> str | None:
    """The one-letter state from /proc/<pid>/stat, or None if the process is gone."""
    fields = _stat_fields(pid)
    return None if fields is None else fields[0]


def _stat_fields(pid: int) -> list[str] | None:
    """Fields 3.. of /proc/<pid>/stat (state, ppid, pgrp, session, ...), or None if gone."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    return stat.rsplit(")", 1)[1].split()


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 10.0,
    interval: float = 0.05,
    *,
    what: str = "condition",
) -> T:
    """Poll `predicate` until it returns something truthy, and return that value.

    Raises TimeoutError naming `what` after `timeout` seconds, so a test that waits for a port
    or a process fails with a reason instead of hanging.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout:.1f}s waiting for {what}")
        time.sleep(interval)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on `host` that nothing listens on right now (the kernel picks it).

    Only loopback hosts are accepted: tests never bind or talk beyond 127.0.0.0/8.
    """
    if not host.startswith("127."):
        raise ValueError(f"free_port: host {host!r} is not a loopback address (127.0.0.0/8)")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def port_accepts(host: str, port: int, timeout: float = 0.2) -> bool:
    """True if a TCP connection to host:port succeeds now."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def stop_group(process: subprocess.Popen[bytes], grace: float) -> None:
    """End `process`, started as a group leader, and its group: SIGTERM, then SIGKILL after
    `grace` seconds; nothing if it already exited."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def end_session(sid: int, grace: float = 5.0) -> None:
    """End every process of session `sid`: SIGTERM to its group, then SIGKILL after `grace`.

    The session leader's process group is the session id; processes that moved to another
    group inside the session are signalled one by one.
    """
    _signal_session(sid, signal.SIGTERM)
    try:
        wait_until(lambda: not live_session_pids(sid), timeout=grace, what=f"session {sid} to end")
    except TimeoutError:
        _signal_session(sid, signal.SIGKILL)
        wait_until(lambda: not live_session_pids(sid), timeout=grace, what=f"session {sid} killed")


def _signal_session(sid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(sid, signum)
    for pid in live_session_pids(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)
