"""Where HAProxy's runtime API socket goes: HAProxy refuses a `stats socket` path longer than
97 bytes ("too long (max 97)"), which a local instance's run dir under a long data dir makes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from stackworks.cookbooks.haproxy.service import MAX_SOCKET_PATH, runtime_socket


def _recipe(run_dir: str) -> Any:
    return SimpleNamespace(roots={"run": run_dir})


def test_a_short_run_dir_keeps_the_socket_in_it() -> None:
    assert runtime_socket(_recipe("/srv/i/run")) == "/srv/i/run/haproxy.sock"


def test_a_path_haproxy_would_refuse_moves_to_a_short_one() -> None:
    suffix = "/haproxy.sock"
    for length in (MAX_SOCKET_PATH + 1, 100, 120):
        run_dir = "/" + "r" * (length - len(suffix) - 1)
        assert len(run_dir + suffix) == length
        socket = runtime_socket(_recipe(run_dir))
        assert Path(socket).parent.name == "stackworks-sockets"
        assert len(socket) <= MAX_SOCKET_PATH
    exact = "/" + "r" * (MAX_SOCKET_PATH - len(suffix) - 1)
    assert runtime_socket(_recipe(exact)) == exact + suffix
