"""How fast local instances come online, and how fast configure fans out.

Figures printed (nothing asserted):
- time from `instance start` (the API call) to `online`, for 1, 5 and 20 local instances started
  together: the median, the slowest, and the whole batch;
- configure fan-out for 20 instances: from the moment the last instance came online to the moment
  every online instance finished the configure that moment queued.

It runs a real `stackworks server` on 127.0.0.1 with a throwaway data dir, a custom layer whose
recipes do nothing (so the figures are Stackworks' own overhead: processes, agent, HTTP, store),
and ends every instance and the server when done.

    .venv/bin/python bench/lifecycle_bench.py [--sizes 1,5,20] [--heartbeat 15]
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


def parse_time(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def run_batch(server: ServerProcess, stack: str, count: int) -> dict[str, float]:
    document = {
        "name": stack,
        "layers": [{"shortname": "app"}],
        "instances": [{"hostname": f"app{n}", "layers": ["app"]} for n in range(1, count + 1)],
    }
    server.call("PUT", f"/stacks/{stack}/document", document, expect=200)
    hosts = [f"app{n}" for n in range(1, count + 1)]
    asked: dict[str, float] = {}
    began = time.time()
    for host in hosts:
        asked[host] = time.time()
        server.call("POST", f"/stacks/{stack}/instances/{host}/start", expect=200)
    server.wait_for_status(stack, hosts, "online", timeout=600)
    whole = time.time() - began
    commands = server.wait_idle(stack, timeout=600)
    setups = {
        c["instance"]: parse_time(c["completed_at"]) for c in commands if c["type"] == "setup"
    }
    to_online = [setups[h] - asked[h] for h in hosts]
    result = {
        "median": statistics.median(to_online),
        "slowest": max(to_online),
        "batch": whole,
    }
    last_host = max(hosts, key=lambda h: setups[h])
    last_online = setups[last_host]
    fanout = [
        parse_time(c["completed_at"])
        for c in commands
        if c["type"] == "configure" and c["reason"] == f"{last_host} came online"
    ]
    result["fanout"] = max(fanout) - last_online if fanout else float("nan")
    result["fanout_instances"] = float(len(fanout))
    for host in hosts:
        server.call("POST", f"/stacks/{stack}/instances/{host}/stop", expect=200)
    server.wait_for_status(stack, hosts, "stopped", timeout=300)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,20")
    parser.add_argument("--heartbeat", default="15", help="agent heartbeat interval, seconds")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="swbench-") as tmp:
        server = ServerProcess(
            Path(tmp) / "d", env={"STACKWORKS_HEARTBEAT_INTERVAL": args.heartbeat}
        )
        server.start()
        rows = []
        try:
            for size in sizes:
                rows.append((size, run_batch(server, f"bench{size}", size)))
        finally:
            server.close()
    print(f"\nlocal instances, start -> online (2 cores; heartbeat {args.heartbeat} s)")
    print(f"{'instances':>9} {'median s':>9} {'slowest s':>10} {'batch s':>8} {'fan-out s':>10}")
    for size, r in rows:
        print(
            f"{size:>9} {r['median']:>9.2f} {r['slowest']:>10.2f} {r['batch']:>8.2f} "
            f"{r['fanout']:>10.2f}  (configure on {int(r['fanout_instances'])} instances)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
