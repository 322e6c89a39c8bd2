"""What authentication and per-stack authorization cost a request, and what a login costs.

Figures printed (nothing asserted):
- median and 95th-percentile latency of `GET /api/v1/health` (authentication only) and of
  `GET /api/v1/stacks/{stack}` for a server admin (no permission lookup) and for a user holding
  `show` through an explicit permission (one more indexed lookup);
- how many times the token's last-used time was written over all those requests (the store
  writes it at most once a minute per token);
- the median time of `POST /api/v1/login` (one argon2id verify and a new token) and of an
  argon2id hash alone.

The API runs in-process (FastAPI's TestClient) on a throwaway SQLite database, so the figures
are the server's own work without network.

    .venv/bin/python bench/auth_bench.py [--requests 500] [--logins 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from stackworks.store import passwords
from support.api_harness import Api, make_stack, make_user, serve_api


def timed(call: Callable[[], Any], count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        answer = call()
        times.append(time.perf_counter() - start)
        assert answer.status_code < 400, answer.text
    return times


def show(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    print(
        f"  {label:<44} median {statistics.median(times) * 1000:6.2f} ms   p95 {p95 * 1000:6.2f} ms"
    )


def run(api: Api, requests: int, logins: int) -> None:
    make_stack(api, "shop")
    viewer = make_user(api, "viewer", levels={"shop": "show"})
    writes = [0]

    @event.listens_for(api.db.engine, "before_cursor_execute")
    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("UPDATE user_tokens"):
            writes[0] += 1

    get = api.client.get
    print(f"{requests} requests each:")
    show(
        "GET /health (authentication only)",
        timed(lambda: get("/api/v1/health", headers=api.headers()), requests),
    )
    show(
        "GET /stacks/shop as a server admin",
        timed(lambda: get("/api/v1/stacks/shop", headers=api.headers()), requests),
    )
    show(
        "GET /stacks/shop as a user with show",
        timed(lambda: get("/api/v1/stacks/shop", headers=api.headers(viewer)), requests),
    )
    print(f"  last-used writes over {3 * requests} requests by 2 tokens: {writes[0]}")

    api.put("/users/viewer/password", {"password": "bench password"})
    body = {"name": "viewer", "password": "bench password"}
    login = timed(lambda: api.client.post("/api/v1/login", json=body), logins)
    hashing = []
    for _ in range(logins):
        start = time.perf_counter()
        passwords.hash_password("bench password")
        hashing.append(time.perf_counter() - start)
    print(f"{logins} logins:")
    show("POST /login (argon2id verify + token)", login)
    show("argon2id hash alone", hashing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--logins", type=int, default=10)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="stackworks-auth-bench-") as tmp,
        serve_api(f"sqlite:///{Path(tmp) / 'stackworks.db'}", Path(tmp)) as api,
    ):
        run(api, args.requests, args.logins)


if __name__ == "__main__":
    main()
