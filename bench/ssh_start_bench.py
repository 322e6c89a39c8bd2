"""How fast ssh instances come online: from `instance start` to `online`, over SSH.

Figures printed (nothing asserted), for N namespace hosts started together
(tests/support/netns_hosts.py: each its own network namespace, sshd and /opt/stackworks):
- first start on an empty host: connect, host check, wheels copied over SFTP, virtualenv made,
  agent pip-installed, configured, started, first heartbeat, setup;
- a start after a stop: the virtualenv already holds the server's version, so nothing is
  copied or installed;
with the agent's wheel cache as it is (`--cold-cache` builds it afresh first, in a throwaway
directory). A custom layer without recipes, so setup is Stackworks' own overhead.

Needs root, `ip`, `unshare` and openssh-server (scripts/bootstrap).

    .venv/bin/python bench/ssh_start_bench.py [--hosts 3] [--cold-cache]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.cluster import ServerProcess
from support.netns_hosts import NetnsHosts


def parse_time(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def start_all(server: ServerProcess, names: list[str]) -> list[float]:
    """Seconds from each start request to its setup's end, once every instance is online."""
    asked = {}
    for name in names:
        asked[name] = time.time()
        server.call("POST", f"/stacks/bench/instances/{name}/start", expect=200)
    server.wait_for_status("bench", names, "online", timeout=900)
    commands = server.wait_idle("bench", timeout=300)
    done: dict[str, float] = {}
    for command in commands:
        if command["type"] == "setup" and command["status"] == "successful":
            done[command["instance"]] = max(
                done.get(command["instance"], 0.0), parse_time(command["completed_at"])
            )
    return [done[name] - asked[name] for name in names]


def stop_all(server: ServerProcess, names: list[str]) -> None:
    for name in names:
        server.call("POST", f"/stacks/bench/instances/{name}/stop", expect=200)
    server.wait_for_status("bench", names, "stopped", timeout=300)


def report(label: str, seconds: list[float]) -> None:
    print(f"{label:<32} median {statistics.median(seconds):6.1f} s   slowest {max(seconds):6.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--cold-cache", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="sw-ssh-bench-") as temp:
        base = Path(temp)
        env = {"STACKWORKS_AGENT_WHEELS": str(base / "wheels")} if args.cold_cache else {}
        with NetnsHosts(base / "hosts", args.hosts) as hosts:
            server = ServerProcess(base / "d", host=hosts.server_address, env=env)
            server.start()
            try:
                server.call(
                    "PUT",
                    "/stacks/bench/document",
                    {"name": "bench", "layers": [{"shortname": "app"}]},
                    expect=200,
                )
                names = []
                for host in hosts.hosts:
                    name = f"host{host.index}"
                    body = {
                        "hostname": name,
                        "layers": ["app"],
                        "provider": "ssh",
                        "ssh_target": host.target,
                        "ssh_key": hosts.client_key.read_text(),
                    }
                    server.call("POST", "/stacks/bench/instances", body, expect=201)
                    names.append(name)
                cache = "cold (built first)" if args.cold_cache else "as found"
                print(f"{args.hosts} ssh host(s) started together; agent wheel cache {cache}")
                report("first start (install)", start_all(server, names))
                stop_all(server, names)
                report("start after stop (installed)", start_all(server, names))
                stop_all(server, names)
            finally:
                server.close()


if __name__ == "__main__":
    main()
