"""Zero downtime: failed requests during a rolling deploy and during a plain deploy.

A real server, HAProxy on a local lb instance, three app instances of the sample app with two
gunicorn processes each. A second process sends steady requests through HAProxy on loopback
while a new commit is deployed: once all at once (a plain deploy: every app server restarts
together, as OpsWorks did), once rolling (one instance at a time, drained on HAProxy first).
Prints both failure counts and both durations; asserts nothing.

HAProxy's own safety net (`retries 3` with `option redispatch`: a request that cannot connect is
sent to another server) hides much of a plain deploy's damage, so each is measured twice: with
the defaults, and with `haproxy.retries: 0, redispatch: false`, where what clients would see
without that net shows.

    .venv/bin/python bench/zero_downtime_bench.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from lb_stack import build_lb_stack, lb_custom_json  # noqa: E402

from support.cluster import ServerProcess  # noqa: E402
from support.processes import wait_until  # noqa: E402
from support.web import commit_greeting, sample_repository  # noqa: E402


def custom_json(retries: bool) -> dict[str, Any]:
    return lb_custom_json() if retries else lb_custom_json(retries=0, redispatch=False)


def without_retries(server: ServerProcess) -> None:
    server.call("PATCH", "/stacks/zdt", {"custom_json": custom_json(retries=False)}, expect=200)
    created = server.call(
        "POST", "/stacks/zdt/deployments", {"command": {"name": "configure"}}, expect=201
    )
    wait_until(
        lambda: (
            server.call("GET", f"/stacks/zdt/deployments/{created['id']}")["status"] != "running"
        ),
        120,
        interval=0.2,
        what="the configure",
    )


def deploy_under_load(server: ServerProcess, url: str, rolling: bool, tmp: Path) -> dict[str, Any]:
    stopfile = tmp / f"stop-{time.monotonic_ns()}"
    loader = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "http_load.py"), url, str(stopfile)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(1.0)  # steady load before the deploy
    began = time.monotonic()
    created = server.call(
        "POST",
        "/stacks/zdt/deployments",
        {"command": {"name": "deploy"}, "app": "sample", "rolling": rolling},
        expect=201,
    )

    def done() -> dict[str, Any] | None:
        shown = server.call("GET", f"/stacks/zdt/deployments/{created['id']}")
        return shown if shown["status"] != "running" else None

    shown = wait_until(done, 600, interval=0.2, what="the deployment")
    duration = time.monotonic() - began
    time.sleep(2.0)  # and a little after it
    stopfile.touch()
    out, _ = loader.communicate(timeout=60)
    load = json.loads(out.strip().splitlines()[-1])
    return {"status": shown["status"], "duration": duration, **load}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="swzdt-") as name:
        tmp = Path(name)
        server = ServerProcess(tmp / "d")
        server.start()
        rows = []
        try:
            repo = sample_repository(tmp / "sample")
            url = build_lb_stack(server, "zdt", repo, ["app1", "app2", "app3"])
            for retries in (True, False):
                if not retries:
                    without_retries(server)
                for rolling in (False, True):
                    commit_greeting(repo, f"Deploy{len(rows)}")
                    result = deploy_under_load(server, url, rolling=rolling, tmp=tmp)
                    rows.append(("rolling" if rolling else "plain", retries, result))
        finally:
            server.close()
    print("\nsteady load through HAProxy while deploying a new commit to 3 instances x 2 processes")
    print(
        f"{'deploy':>8} {'haproxy retries':>16} {'status':>11} {'duration s':>11} "
        f"{'requests':>9} {'failed':>7}  reasons"
    )
    for label, retries, r in rows:
        net = "3 + redispatch" if retries else "off"
        print(
            f"{label:>8} {net:>16} {r['status']:>11} {r['duration']:>11.1f} "
            f"{r['requests']:>9} {r['failures']:>7}  {', '.join(r['reasons'])}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
