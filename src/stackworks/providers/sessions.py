"""The processes of one local instance, found by session id, never by name.

A local instance's supervisord is started as the leader of a new session; everything under it
(the agent, the services, their stray children, a converge run) inherits that session id. So
"every process of the instance" is exactly "every process whose session id is the recorded
one", and no other process on the host can be in it.

The kernel does not hand out a session leader's pid again while any process of that session is
alive, so the recorded id keeps naming our processes even after the leader died. The one case to
guard against: all of ours are gone and the pid was reused by an unrelated new session leader;
the leader's recorded start time tells them apart.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

PROC = Path("/proc")


@dataclass(frozen=True)
class SessionRecord:
    """The session an instance's supervisord leads: its id and the leader's start time."""

    sid: int
    leader_started: float

    @classmethod
    def of_leader(cls, pid: int) -> SessionRecord:
        return cls(sid=pid, leader_started=psutil.Process(pid).create_time())


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: state, ppid, pgrp, session, ..."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def live_members(record: SessionRecord) -> list[int]:
    """Pids of the session's processes that are not zombies (zombies are reaped if ours)."""
    try:
        leader = psutil.Process(record.sid)
        if abs(leader.create_time() - record.leader_started) > 0.05:
            return []  # the id belongs to someone else now: nothing of ours is left
    except psutil.NoSuchProcess:
        pass
    members = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        fields = _stat_fields(pid)
        if fields is None or int(fields[3]) != record.sid:
            continue
        if fields[0] == "Z":
            reap(pid)
            continue
        members.append(pid)
    return members


def reap(pid: int) -> None:
    """Collect the exit status of `pid` if it is our own child; harmless otherwise."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def kill_session(record: SessionRecord, *, timeout: float = 10.0) -> list[int]:
    """SIGKILL every live member until none is left (a fork may race a kill); returns survivors."""
    deadline = time.monotonic() + timeout
    while True:
        members = live_members(record)
        if not members or time.monotonic() > deadline:
            return members
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait (bounded) for `pid` to exit, reaping it if it is our child; True once it is gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        reap(pid)
        fields = _stat_fields(pid)
        if fields is None or fields[0] == "Z":
            return True
        time.sleep(0.05)
    return False
