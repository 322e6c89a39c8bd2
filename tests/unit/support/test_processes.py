"""The process helpers find, wait for and end what a test started."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest

from support.processes import (
    descendant_pids,
    end_session,
    free_port,
    is_alive,
    live_session_pids,
    port_accepts,
    session_pids,
    wait_until,
)


def test_free_port_can_be_bound_on_loopback() -> None:
    port = free_port("127.0.0.1")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        assert port_accepts("127.0.0.1", port)


def test_free_port_refuses_a_non_loopback_host() -> None:
    with pytest.raises(ValueError, match="not a loopback"):
        free_port("0.0.0.0")


def test_wait_until_returns_the_first_truthy_value() -> None:
    calls = iter([0, None, 7])
    assert wait_until(lambda: next(calls), timeout=2, interval=0.01) == 7


def test_wait_until_names_what_it_waited_for_on_timeout() -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="the moon"):
        wait_until(lambda: False, timeout=0.2, interval=0.02, what="the moon")
    assert time.monotonic() - started < 2


def test_end_session_ends_a_process_tree_including_grandchildren() -> None:
    # The child ignores SIGTERM and forks a grandchild, so only the SIGKILL step ends it.
    script = (
        "import os, signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        sid = child.pid
        assert os.getsid(child.pid) == sid
        wait_until(lambda: len(session_pids(sid)) == 2, timeout=10, what="grandchild")
        end_session(sid, grace=0.5)
        child.wait(timeout=5)
        assert live_session_pids(sid) == []
    finally:
        if child.poll() is None:
            os.killpg(child.pid, 9)
            child.wait(timeout=5)


def test_session_pids_is_empty_for_an_unused_session() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"], start_new_session=True)
    child.wait(timeout=10)
    assert session_pids(child.pid) == []


def test_descendant_pids_follows_children_into_their_own_sessions() -> None:
    script = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'],"
        " start_new_session=True)\n"
        "time.sleep(60)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    try:
        grandchild = wait_until(lambda: descendant_pids(child.pid), timeout=10, what="grandchild")[
            0
        ]
        assert os.getsid(grandchild) != child.pid
        assert session_pids(child.pid) == [child.pid]
        os.kill(grandchild, 9)
        wait_until(lambda: not is_alive(grandchild), timeout=5, what="grandchild to die")
    finally:
        os.killpg(child.pid, 9)
        child.wait(timeout=5)
