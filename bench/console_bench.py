"""Server-side render time of the console's two busiest pages.

Figures printed (nothing asserted; the goal is under 100 ms each on 2 cores):
- the stack page (`GET /stacks/{stack}`) of a stack with 100 instances in two layers, in mixed
  statuses, with an app and a history of deployments and events;
- the stack list (`GET /`) with 50 stacks: the big one and 49 of 3 instances (online,
  stopped, setup_failed), a health summary per stack (the test provider's addresses, one /24,
  hold 254 instances);
- the monitoring page of the 100-instance stack over the last hour, with an hour of heartbeats
  (`--heartbeats`, at 5 s intervals) stored for every instance.

The app runs in-process (FastAPI's TestClient, a throwaway SQLite database in /dev/shm, a recording
provider, no orchestrator thread), logged in through the console's own login form, so each
figure is the server's whole work for the request: session check, store reads, Jinja2. Each
page is rendered `--renders` times after `--warmup` renders; median and 95th percentile.

    .venv/bin/python bench/console_bench.py [--renders 50] [--profile stack|list|monitoring]

`--profile PAGE` (needs pyinstrument, the bench extra) prints where one page's renders spend
their time.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sqlalchemy import insert

from stackworks.domain.metrics import Resolution
from stackworks.domain.status import InstanceStatus
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store.tables import MetricSampleRow, utcnow
from support.api_harness import Api, make_instance, make_layer, make_stack, serve_api

PASSWORD = "bench-password-1"
BIG = "big"
#: how the 100 instances of the big stack are spread over statuses (OpsWorks' mix of a day)
MIX = (
    [InstanceStatus.ONLINE] * 80
    + [InstanceStatus.STOPPED] * 8
    + [InstanceStatus.SETUP_FAILED] * 4
    + [InstanceStatus.BOOTING] * 4
    + [InstanceStatus.CONNECTION_LOST] * 2
    + [InstanceStatus.RUNNING_SETUP] * 2
)


def set_statuses(api: Api, stack: str, statuses: list[InstanceStatus]) -> None:
    with api.db.transaction() as session:
        found = stack_store.get_by_name(session, stack)
        for instance, status in zip(
            instance_store.list_for_stack(session, found.id), statuses, strict=False
        ):
            reason = "bench: set by hand" if status is InstanceStatus.SETUP_FAILED else ""
            instance_store.set_status(session, instance.id, status, reason)


def seed_big_stack(api: Api, deployments: int, heartbeats: int) -> None:
    make_stack(api, BIG)
    make_layer(api, BIG, "lb", "lb")
    make_layer(api, BIG, "app", "python-app")
    for index in range(100):
        make_instance(api, BIG, ["lb"] if index < 2 else ["app"])
    answer = api.post(
        f"/stacks/{BIG}/apps",
        {"shortname": "web", "source": {"url": "file:///srv/web.git"}, "layers": ["app"]},
    )
    assert answer.status_code == 201, answer.text
    set_statuses(api, BIG, MIX)
    for index in range(deployments):
        made = api.post(
            f"/stacks/{BIG}/deployments",
            {"command": {"name": "deploy"}, "app": "web", "comment": f"release {index}"},
        )
        assert made.status_code == 201, made.text
    seed_heartbeats(api, BIG, heartbeats)


def seed_heartbeats(api: Api, stack: str, heartbeats: int) -> None:
    """`heartbeats` raw samples per instance, 5 s apart up to now, in one bulk insert."""
    now = utcnow()
    rows = []
    with api.db.transaction() as session:
        found = stack_store.get_by_name(session, stack)
        for number, instance in enumerate(instance_store.list_for_stack(session, found.id)):
            for beat in range(heartbeats):
                wave = (beat + number) % 60 / 60
                rows.append(
                    {
                        "instance_id": instance.id,
                        "at": now - timedelta(seconds=5 * (heartbeats - beat)),
                        "resolution": Resolution.RAW.value,
                        "samples": 1,
                        "cpu": 20 + 60 * wave,
                        "memory": 40 + 10 * wave,
                        "load1": wave * 2,
                        "load5": wave * 1.5,
                        "load15": wave,
                    }
                )
        if rows:
            session.execute(insert(MetricSampleRow), rows)


def seed_many_stacks(api: Api, count: int) -> None:
    statuses = [InstanceStatus.ONLINE, InstanceStatus.STOPPED, InstanceStatus.SETUP_FAILED]
    for index in range(count):
        name = f"shop{index:02d}"
        make_stack(api, name)
        make_layer(api, name, "app", "python-app")
        for _ in statuses:
            make_instance(api, name, ["app"])
        set_statuses(api, name, statuses)


def log_in(api: Api) -> None:
    """A console session for the server admin, through the login form as a browser would."""
    answer = api.put("/users/admin/password", {"password": PASSWORD})
    assert answer.status_code == 204, answer.text
    form = api.client.get("/login")
    found = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
    assert form.status_code == 200 and found, form.text[:400]
    done = api.client.post(
        "/login",
        data={"name": "admin", "password": PASSWORD, "login_csrf": found.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:400]


@dataclass
class Page:
    """One console page to render: where, and a text it must contain (the page is whole)."""

    api: Api
    label: str
    path: str
    expect: str
    size: int = 0

    def render(self) -> None:
        answer = self.api.client.get(self.path)
        assert answer.status_code == 200 and self.expect in answer.text, answer.text[:400]
        self.size = len(answer.content)


def timed(render: Callable[[], object], count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        render()
        times.append(time.perf_counter() - start)
    return times


def show(page: Page, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    print(
        f"  {page.label:<50} median {statistics.median(times) * 1000:7.1f} ms   "
        f"p95 {p95 * 1000:7.1f} ms   ({page.size / 1024:.0f} KiB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--renders", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--deployments", type=int, default=10)
    parser.add_argument("--heartbeats", type=int, default=720, help="per instance (5 s apart)")
    parser.add_argument("--profile", choices=["stack", "list", "monitoring"])
    args = parser.parse_args()

    # memory-backed /dev/shm where there is one: the seeding's commits need not wait on a disk
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(dir=shm if shm.is_dir() else None) as work:
        url = f"sqlite:///{Path(work) / 'bench.db'}"
        with serve_api(url, Path(work)) as api:
            started = time.perf_counter()
            seed_big_stack(api, args.deployments, args.heartbeats)
            print(f"seeded {BIG} (100 instances) in {time.perf_counter() - started:.1f} s")
            seed_many_stacks(api, 49)  # with the big one: 50 stacks in the list
            print(f"seeded in {time.perf_counter() - started:.1f} s")
            log_in(api)
            pages = {
                "stack": Page(api, f"stack page, {BIG}: 100 instances", f"/stacks/{BIG}", "app98"),
                "list": Page(api, "stack list: 50 stacks", "/", "shop48"),
                "monitoring": Page(
                    api,
                    f"monitoring, {BIG}: last hour, {args.heartbeats} beats x 100",
                    f"/stacks/{BIG}/monitoring",
                    "layer-app-cpu",
                ),
            }
            if args.profile:
                profile(pages[args.profile].render, args.renders)
                return
            print(f"{args.renders} renders each, after {args.warmup} to warm up:")
            for page in pages.values():
                timed(page.render, args.warmup)
                show(page, timed(page.render, args.renders))


def profile(render: Callable[[], object], count: int) -> None:
    """Where the request handlers spend their time. FastAPI runs them in worker threads, which
    a profiler started here would not see: each handler call is profiled in its own thread
    and the sessions are added up."""
    try:
        import fastapi.routing
        from pyinstrument import Profiler
        from pyinstrument.renderers import ConsoleRenderer
        from pyinstrument.session import Session
    except ImportError:
        sys.exit("pyinstrument is missing: .venv/bin/pip install -e '.[bench]'")
    sessions: list[Session] = []
    in_threadpool = fastapi.routing.run_in_threadpool

    async def profiled(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        def run() -> Any:
            profiler = Profiler(interval=0.0005)
            profiler.start()
            try:
                return func(*args, **kwargs)
            finally:
                sessions.append(profiler.stop())

        return await in_threadpool(run)

    render()
    fastapi.routing.run_in_threadpool = profiled  # type: ignore[assignment]
    try:
        timed(render, count)
    finally:
        fastapi.routing.run_in_threadpool = in_threadpool
    total = sessions[0]
    for more in sessions[1:]:
        total = Session.combine(total, more)
    print(ConsoleRenderer(unicode=True, color=False, time="percent_of_total").render(total))


if __name__ == "__main__":
    main()
