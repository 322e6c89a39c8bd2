"""Auto-healing with the default settings: how fast a dead instance is noticed and replaced.

A real server (heartbeat every 5 s, lost after 15 s of silence: the defaults), HAProxy on a
local lb instance, three app instances of the sample app with two gunicorn processes each. A
second process sends steady requests through HAProxy on loopback. Each app instance in turn is
killed outright (SIGKILL to every process of it, supervisord included, as a crash would), and
the bench measures:

- detection: from the kill to the server's "lost its connection" event;
- online again: from the kill to the replacement being online, setup and deploy done;
- failed requests: while it was dead, replaced and taken back into HAProxy.

Prints one row per kill and the worst of each; asserts nothing. Goals: detected <= 20 s,
online again <= 60 s, 0 failed requests.

    .venv/bin/python bench/healing_bench.py [--heartbeat-interval 5] [--heartbeat-timeout 15]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from lb_stack import build_lb_stack  # noqa: E402

from support.cluster import ServerProcess  # noqa: E402
from support.processes import wait_until  # noqa: E402
from support.web import sample_repository  # noqa: E402

HOSTS = ["app1", "app2", "app3"]


def event_time(event: dict[str, Any]) -> float:
    return datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00")).timestamp()


def kill_and_heal(server: ServerProcess, url: str, host: str, tmp: Path) -> dict[str, Any]:
    stopfile = tmp / f"stop-{host}"
    loader = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "http_load.py"), url, str(stopfile)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        time.sleep(2.0)  # steady load first
        seen = {e["seq"] for e in server.events("heal", "lifecycle")}
        killed_at = time.time()
        server.kill_instance("heal", host)

        def lost() -> dict[str, Any] | None:
            for e in server.events("heal", "lifecycle"):
                if e["seq"] not in seen and e["instance"] == host and "lost" in e["message"]:
                    return e
            return None

        detected = event_time(wait_until(lost, 120, interval=0.1, what=f"{host} lost"))
        server.wait_for_status("heal", [host], "online", timeout=180)
        online = time.time()
        server.wait_idle("heal")
        time.sleep(3.0)  # HAProxy's health checks take it back; the load goes on a little
    finally:
        stopfile.touch()
        out, _ = loader.communicate(timeout=60)
    load = json.loads(out.strip().splitlines()[-1])
    return {
        "host": host,
        "detected": detected - killed_at,
        "online": online - killed_at,
        **load,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heartbeat-interval", default="5")
    parser.add_argument("--heartbeat-timeout", default="15")
    args = parser.parse_args()
    env = {
        "STACKWORKS_HEARTBEAT_INTERVAL": args.heartbeat_interval,
        "STACKWORKS_HEARTBEAT_TIMEOUT": args.heartbeat_timeout,
    }
    rows = []
    with tempfile.TemporaryDirectory(prefix="swheal-", ignore_cleanup_errors=True) as name:
        tmp = Path(name)
        server = ServerProcess(tmp / "d", env=env)
        server.start()
        try:
            url = build_lb_stack(server, "heal", sample_repository(tmp / "sample"), HOSTS)
            for host in HOSTS:
                rows.append(kill_and_heal(server, url, host, tmp))
        finally:
            server.close()
    print(
        f"\nkill -9 of one app instance (of 3 x 2 gunicorn) under steady load through HAProxy; "
        f"heartbeat every {args.heartbeat_interval} s, lost after {args.heartbeat_timeout} s"
    )
    print(f"{'killed':>7} {'detected s':>11} {'online again s':>15} {'requests':>9} {'failed':>7}")
    for r in rows:
        print(
            f"{r['host']:>7} {r['detected']:>11.1f} {r['online']:>15.1f} "
            f"{r['requests']:>9} {r['failures']:>7}  {', '.join(r['reasons'])}"
        )
    print(
        f"{'worst':>7} {max(r['detected'] for r in rows):>11.1f} "
        f"{max(r['online'] for r in rows):>15.1f} {sum(r['requests'] for r in rows):>9} "
        f"{sum(r['failures'] for r in rows):>7}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
