"""HAProxy's runtime API: take one app instance's servers out of rotation and put them back.

Used by rolling deployments (haproxy::drain, haproxy::enable) through
`python -m stackworks.cookbooks.haproxy.runtime SOCKET drain|enable HOSTNAME`, so a recipe runs
it as an argv command. Drain waits until the instance's servers hold no more sessions; enable
waits until HAProxy's health checks see them up again. Both give up after --timeout seconds.
"""

from __future__ import annotations

import argparse
import csv
import io
import socket
import sys
import time
from dataclasses import dataclass

BACKEND = "apps"  # the backend haproxy.cfg.j2 defines


class RuntimeError_(Exception):
    """HAProxy's runtime API refused or did not answer."""


def send(path: str, command: str, timeout: float = 5.0) -> str:
    """One command on the admin socket; HAProxy answers and closes."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)
        try:
            conn.connect(path)
        except OSError as error:
            raise RuntimeError_(f"cannot reach HAProxy's runtime API at {path}: {error}") from error
        conn.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


@dataclass(frozen=True)
class ServerState:
    name: str
    status: str  # UP, DOWN, DRAIN, MAINT, "UP 1/3" ...
    sessions: int


def servers_of(path: str, hostname: str) -> list[ServerState]:
    """The backend servers of one instance (named `<hostname>-<n>`)."""
    text = send(path, "show stat").lstrip("# ")
    rows = csv.DictReader(io.StringIO(text))
    return [
        ServerState(row["svname"], row["status"], int(row["scur"] or 0))
        for row in rows
        if row.get("pxname") == BACKEND and row.get("svname", "").startswith(f"{hostname}-")
    ]


def set_state(path: str, servers: list[ServerState], state: str) -> None:
    for server in servers:
        answer = send(path, f"set server {BACKEND}/{server.name} state {state}").strip()
        if answer:
            raise RuntimeError_(f"HAProxy refused to set {server.name} {state}: {answer}")


def wait(path: str, hostname: str, done: str, timeout: float) -> list[ServerState]:
    deadline = time.monotonic() + timeout
    while True:
        servers = servers_of(path, hostname)
        if done == "drained" and all(s.sessions == 0 for s in servers):
            return servers
        if done == "up" and all(s.status.startswith("UP") for s in servers):
            return servers
        if time.monotonic() >= deadline:
            states = ", ".join(f"{s.name}={s.status}/{s.sessions}" for s in servers)
            raise RuntimeError_(f"{hostname} not {done} after {timeout:g} s ({states})")
        time.sleep(0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="haproxy-runtime", description=__doc__)
    parser.add_argument("socket")
    parser.add_argument("action", choices=["drain", "enable"])
    parser.add_argument("hostname")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    try:
        servers = servers_of(args.socket, args.hostname)
        if not servers:
            print(f"{args.hostname}: no servers in backend {BACKEND}; nothing to {args.action}")
            return 0
        if args.action == "drain":
            set_state(args.socket, servers, "drain")
            wait(args.socket, args.hostname, "drained", args.timeout)
        else:
            set_state(args.socket, servers, "ready")
            wait(args.socket, args.hostname, "up", args.timeout)
    except RuntimeError_ as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    names = ", ".join(s.name for s in servers)
    print(f"{args.hostname}: {'drained' if args.action == 'drain' else 'enabled and up'} ({names})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
