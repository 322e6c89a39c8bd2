"""What the audit log costs a change: the same PATCH through the in-process API, with the audit
middleware and with it taken out, on SQLite. Prints figures; asserts nothing.

    PYTHONPATH=src python bench/audit_bench.py [--requests 300]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from stackworks.api.app import create_app
from stackworks.api.audit import AuditMiddleware
from stackworks.control.settings import Settings
from stackworks.providers.fake import FakeProvider
from stackworks.store import tokens
from stackworks.store.db import Database


def _app(data_dir: Path, audited: bool) -> tuple[FastAPI, str]:
    url = f"sqlite:///{data_dir / 'bench.db'}"
    db = Database(url)
    db.upgrade()
    with db.transaction() as session:
        token = tokens.create(session, "admin")
    settings = Settings(data_dir=data_dir, server_url="http://127.0.0.1:1", database_url=url)
    app = create_app(db, settings, {"local": FakeProvider()}, run_orchestrator=False)
    if not audited:
        app.user_middleware = [m for m in app.user_middleware if m.cls is not AuditMiddleware]
    return app, token


def _run(requests: int, audited: bool) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        app, token = _app(Path(tmp), audited)
        headers = {"Authorization": f"Bearer {token}"}
        with TestClient(app) as client:
            client.post("/api/v1/stacks", json={"name": "bench"}, headers=headers)
            client.post(
                "/api/v1/stacks/bench/apps",
                json={"shortname": "web", "source": {"url": "file:///srv/web.git"}},
                headers=headers,
            )
            times = []
            for n in range(requests):
                body = {
                    "environment": [
                        {"key": "MODE", "value": f"run-{n}"},
                        {"key": "SECRET_KEY", "value": "s3cret", "secure": True},
                    ]
                }
                start = time.perf_counter()
                answer = client.patch("/api/v1/stacks/bench/apps/web", json=body, headers=headers)
                times.append(time.perf_counter() - start)
                answer.raise_for_status()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    print(f"PATCH /stacks/{{stack}}/apps/{{app}} x {args.requests}, SQLite, in-process")
    for audited in (False, True):
        times = sorted(_run(args.requests, audited))
        median = statistics.median(times) * 1000
        p95 = times[int(len(times) * 0.95) - 1] * 1000
        label = "with audit   " if audited else "without audit"
        print(f"  {label}: median {median:6.2f} ms, p95 {p95:6.2f} ms")


if __name__ == "__main__":
    main()
