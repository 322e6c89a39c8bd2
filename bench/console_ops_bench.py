"""Server-side time of the console's layer settings and operations pages, through the
in-process app on SQLite: a layer with `--timed` time-based instances (a 7 x 24 grid each), the
events and audit pages over `--records` of each (50 a page), and the configuration page of a
command sent to a stack of `--instances` online instances. Prints figures; asserts nothing.

    PYTHONPATH=src python bench/console_ops_bench.py [--timed 20] [--records 1000] [--instances 100]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from stackworks.api.access import SESSION_COOKIE
from stackworks.api.app import create_app
from stackworks.control.settings import Settings
from stackworks.domain.audit import AuditRecord
from stackworks.domain.status import EventKind, InstanceStatus
from stackworks.providers.fake import FakeProvider
from stackworks.store import audit as audit_store
from stackworks.store import events as event_store
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store import tokens
from stackworks.store import users as user_store
from stackworks.store.db import Database

STACK = "bench"


def _median_ms(client: TestClient, path: str, requests: int) -> float:
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        answer = client.get(path)
        times.append(time.perf_counter() - start)
        assert answer.status_code == 200, (path, answer.status_code)
    return statistics.median(times) * 1000


def _seed(api: TestClient, db: Database, timed: int, records: int, instances: int) -> str:
    api.post("/api/v1/stacks", json={"name": STACK})
    api.post(f"/api/v1/stacks/{STACK}/layers", json={"shortname": "web", "type": "python-app"})
    for _ in range(timed):
        body = {"layers": ["web"], "scaling": "time"}
        hostname = api.post(f"/api/v1/stacks/{STACK}/instances", json=body).json()["hostname"]
        week = {day: {str(h): "on" for h in range(9, 17)} for day in ("Monday", "Friday")}
        api.put(f"/api/v1/stacks/{STACK}/instances/{hostname}/schedule", json=week)
    hostnames = [
        api.post(f"/api/v1/stacks/{STACK}/instances", json={"layers": ["web"]}).json()["hostname"]
        for _ in range(instances)
    ]
    with db.transaction() as session:
        stack = stack_store.get_by_name(session, STACK)
        for n, hostname in enumerate(hostnames):
            found = instance_store.get_by_hostname(session, stack.id, hostname)
            instance_store.set_status(session, found.id, InstanceStatus.ONLINE)
            instance_store.update_fields(
                session, found.id, private_ip=f"127.78.{n // 250}.{n % 250 + 1}"
            )
        for n in range(records):
            event_store.record(session, stack.id, EventKind.SCALING, f"bench event {n}")
            audit_store.record(
                session,
                AuditRecord(
                    action="PATCH /stacks/{stack}",
                    target=f"/stacks/{STACK}",
                    status_code=200,
                    principal="admin",
                    stack=STACK,
                    changes={"body": {"custom_json": {"n": n}}},
                ),
            )
    made = api.post(f"/api/v1/stacks/{STACK}/deployments", json={"command": {"name": "configure"}})
    command = made.json()["commands"][0]
    return f"/stacks/{STACK}/instances/{command['instance']}/commands/{command['id']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timed", type=int, default=20)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=100)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        db = Database(url)
        db.upgrade()
        with db.transaction() as session:
            admin = user_store.create(session, "admin", is_admin=True)
            token, _ = tokens.create(session, admin.id, "bench")
        settings = Settings(data_dir=Path(tmp), server_url="http://127.0.0.1:1", database_url=url)
        app = create_app(db, settings, {"local": FakeProvider()}, run_orchestrator=False)
        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as api:
            command = _seed(api, db, args.timed, args.records, args.instances)
            console = TestClient(app, cookies={SESSION_COOKIE: token})
            pages = {
                f"layer settings, {args.timed} weekly grids": (
                    f"/stacks/{STACK}/layers/web/settings"
                ),
                f"events, 50 of {args.records}": f"/stacks/{STACK}/events",
                f"audit, 50 of {args.records}": f"/stacks/{STACK}/audit",
                "operations": f"/stacks/{STACK}/operations",
                f"command configuration, {args.instances + args.timed} instances": (
                    f"{command}/configuration"
                ),
            }
            print(f"median of {args.requests} requests, in-process, SQLite:")
            for label, path in pages.items():
                print(f"  {label:45s} {_median_ms(console, path, args.requests):7.1f} ms")
        db.dispose()


if __name__ == "__main__":
    main()
