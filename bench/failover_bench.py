"""How long the control plane goes without an orchestrator when its leader goes away: two real
`stackworks server` replicas on a throwaway PostgreSQL (loopback), the leader taken away again
and again, each time timed from the blow to the end of the new leader's first orchestrator pass
(`orchestrating_since` of GET /api/v1/health). Prints figures; asserts nothing.

Two ways to go:
- kill: SIGKILL of the leader's process (then it is started again, to follow);
- cut: its election connection terminated on the database side (pg_terminate_backend), as
  when the network drops it; the old leader lives on, and the time it took to notice is
  printed too.

    PYTHONPATH=src python bench/failover_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.cluster import ServerProcess  # noqa: E402
from support.postgres import PostgresServer, start_server  # noqa: E402
from support.processes import wait_until  # noqa: E402

NAMES = ("replica-a", "replica-b")


def health(replica: ServerProcess) -> dict[str, Any]:
    return dict(replica.call("GET", "/health", expect=200))


def leader_of(replicas: dict[str, ServerProcess]) -> tuple[ServerProcess, ServerProcess, int]:
    """(leader, follower, epoch) once one of them has passed as leader."""
    found: list[tuple[ServerProcess, ServerProcess, int]] = []

    def settled() -> bool:
        for name, replica in replicas.items():
            shown = health(replica)
            if shown["leading"] and shown["orchestrating_since"]:
                (other,) = [r for n, r in replicas.items() if n != name]
                found.append((replica, other, int(shown["epoch"])))
                return True
        return False

    wait_until(settled, 60, interval=0.05, what="a leader")
    return found[0]


def first_pass_after(replica: ServerProcess, epoch: int) -> float:
    """The wall-clock time of `replica`'s first pass as leader in an epoch after `epoch`."""
    seen: list[float] = []

    def passed() -> bool:
        shown = health(replica)
        if shown["leading"] and shown["epoch"] > epoch and shown["orchestrating_since"]:
            seen.append(datetime.fromisoformat(shown["orchestrating_since"]).timestamp())
            return True
        return False

    wait_until(passed, 60, interval=0.02, what="the takeover")
    return seen[0]


def kill_round(replicas: dict[str, ServerProcess]) -> float:
    leader, follower, epoch = leader_of(replicas)
    assert leader.process is not None
    killed_at = time.time()
    os.kill(leader.process.pid, signal.SIGKILL)
    leader.process.wait(timeout=10)
    took = first_pass_after(follower, epoch) - killed_at
    leader.process = None
    leader.start()  # back, as a follower
    return took


def cut_round(replicas: dict[str, ServerProcess], postgres: PostgresServer) -> tuple[float, float]:
    """(takeover, how long the old leader took to stop leading)."""
    leader, follower, epoch = leader_of(replicas)
    with postgres.connect_admin() as conn:
        (pid,) = conn.execute(b"SELECT pid FROM pg_locks WHERE locktype = 'advisory'").fetchone()
        cut_at = time.time()
        conn.execute(b"SELECT pg_terminate_backend(%s)", (pid,))
    stepped_down: list[float] = []

    def no_longer_leading() -> bool:
        if not health(leader)["leading"]:
            stepped_down.append(time.time())
            return True
        return False

    wait_until(no_longer_leading, 30, interval=0.02, what="the old leader to step down")
    took = first_pass_after(follower, epoch) - cut_at
    return took, stepped_down[0] - cut_at


def summary(label: str, figures: list[float]) -> str:
    return (
        f"{label:<46} median {statistics.median(figures):5.2f} s   "
        f"min {min(figures):5.2f} s   max {max(figures):5.2f} s   ({len(figures)} rounds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    postgres = start_server()
    replicas: dict[str, ServerProcess] = {}
    try:
        url = postgres.url(postgres.create_database("failover_bench"))
        with tempfile.TemporaryDirectory(prefix="sw-failover-") as tmp:
            env = {"STACKWORKS_SECRET_KEY": Fernet.generate_key().decode()}
            for name in NAMES:
                replicas[name] = ServerProcess(
                    Path(tmp) / "d",
                    env=env,
                    args=("--database-url", url, "--replica-name", name),
                    log_name=f"{name}.log",
                )
                replicas[name].start()
            kills = [kill_round(replicas) for _ in range(options.rounds)]
            cuts = [cut_round(replicas, postgres) for _ in range(options.rounds)]
            for replica in replicas.values():
                replica.stop()
            print(f"two replicas on PostgreSQL, {os.cpu_count()} cores")
            print(summary("kill -9 -> new leader's first pass", kills))
            print(summary("connection cut -> new leader's first pass", [c[0] for c in cuts]))
            print(summary("connection cut -> old leader stops leading", [c[1] for c in cuts]))
    finally:
        for replica in replicas.values():
            replica.stop()
            replica.client.close()
        postgres.stop()


if __name__ == "__main__":
    main()
