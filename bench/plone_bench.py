"""The scalable Plone stack: time from nothing to a served site, cold and warm, and what a
deploy of a new revision costs under load.

    python bench/plone_bench.py [--skip-cold] [--no-rolling] [--no-wheelhouse]

1. **cold**: `stackworks demo plone` on a new data dir with an empty pip cache (a fresh
   `PIP_CACHE_DIR` in a temp dir, so every build downloads from the package index), timed
   from the command's start until it has seen the site answer 200 at nginx; then `--down`.
2. **warm**: the same on another new data dir, with the cache the cold run filled (what a
   second bring-up on one machine costs).
3. On the warm stack, a new revision of the project (a commit adding an add-on view,
   support.plone_project) is deployed with a plain deploy (every instance at once, each
   replacing its ZEO clients one at a time), then another with `--rolling` (one instance at
   a time, drained in HAProxy first), each under a steady authenticated load through nginx
   (authenticated, so Varnish passes every request to a ZEO client). Printed: duration,
   requests, failed requests, and whether every client serves the new revision.
4. **wheelhouse**: once more from nothing, installing offline from the wheelhouse the Plone
   tests share (support.plone_builds; built first if missing): what the e2e tests pay.

Every request goes to loopback; everything started is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.plone_builds import offline_pip_environment, wheelhouse
from support.plone_cli import Cli, basic_auth, client_urls, request
from support.plone_project import VIEW, commit_revision
from support.processes import free_port
from support.web import Load

STACK = "plone"
CLIENT_PORTS = (8081, 8082)
TIMEOUT = 1200
#: a request that has no 200 within this many seconds counts as failed (HAProxy waits 60 s)
LOAD_TIMEOUT = 30.0


@dataclass
class DeployFigures:
    how: str
    seconds: float
    requests: int
    failed: int
    slowest: float
    reasons: list[str]
    served_everywhere: bool


def bring_up(cli: Cli) -> tuple[float, str]:
    """`demo plone` from nothing; (seconds, the site's URL)."""
    started = time.monotonic()
    out = cli.demo_plone(timeout=TIMEOUT)
    took = time.monotonic() - started
    found = re.search(r"The Plone site answers at (\S+)", out)
    if not found:
        raise SystemExit(f"demo plone printed no site URL:\n{out}")
    return took, found.group(1)


def down(cli: Cli) -> None:
    try:
        cli.demo_plone("--down")
    finally:
        cli.stop_everything()


def up_and_down(where: Path, env: dict[str, str]) -> float:
    """Seconds of one bring-up from nothing on a new data dir under `where`; then down."""
    cli = Cli(where / "d", f"127.0.0.1:{free_port()}", env)
    try:
        seconds, _ = bring_up(cli)
        print(f"{where.name} bring-up: {seconds:.0f} s")
        return seconds
    finally:
        down(cli)


def deploy_under_load(cli: Cli, site: str, label: str, rolling: bool) -> DeployFigures:
    admin = ("admin", (cli.data_dir / "plone-admin-password").read_text().strip())
    commit_revision(cli.data_dir / "plone-project.git", label)
    extra = ["--rolling"] if rolling else []
    headers = basic_auth(*admin)
    with Load(site, pause=0.05, seconds=TIMEOUT, headers=headers, timeout=LOAD_TIMEOUT) as load:
        time.sleep(2)
        started = time.monotonic()
        cli.deploy_app(STACK, "plone_instances", *extra, timeout=TIMEOUT)
        took = time.monotonic() - started
        time.sleep(2)
    clients = client_urls(cli.instances(STACK), "plone_instances", CLIENT_PORTS)
    served = all(request(f"{c}/Plone/{VIEW}", auth=admin)[2].strip() == label for c in clients)
    failures = load.failures()
    return DeployFigures(
        "rolling" if rolling else "plain",
        took,
        len(load.results),
        len(failures),
        max(load.durations, default=0.0),
        sorted({f"{status} {text[:60]}" for _, status, text in failures})[:3],
        served,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-cold", action="store_true", help="no cold bring-up")
    parser.add_argument("--no-rolling", action="store_true", help="only the plain deploy")
    parser.add_argument("--no-wheelhouse", action="store_true", help="no offline bring-up")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="plone-bench-"))
    pip_cache = work / "pip-cache"
    # the bench measures pip against the package index: never the tests' offline wheelhouse
    os.environ.pop("PIP_NO_INDEX", None)
    # cold: a new empty cache, which the warm run then finds filled; without the cold run,
    # the warm one uses this machine's own pip cache
    env = {} if args.skip_cold else {"PIP_CACHE_DIR": str(pip_cache)}
    print(f"plone_bench {datetime.now():%Y-%m-%d %H:%M}, {os.cpu_count()} cores, work {work}")
    rows: list[tuple[str, float]] = []
    if not args.skip_cold:
        rows.append(("cold (empty pip cache)", up_and_down(work / "cold", env)))
    warm = Cli(work / "warm" / "d", f"127.0.0.1:{free_port()}", env)
    deploys: list[DeployFigures] = []
    try:
        seconds, site = bring_up(warm)
        label = "warm (the cold run's pip cache)" if rows else "warm (the machine's cache)"
        rows.append((label, seconds))
        print(f"warm bring-up: {seconds:.0f} s")
        deploys.append(deploy_under_load(warm, site, "bench revision two", rolling=False))
        if not args.no_rolling:
            deploys.append(deploy_under_load(warm, site, "bench revision three", rolling=True))
    finally:
        down(warm)
    if not args.no_wheelhouse:
        offline = {**env, **offline_pip_environment(wheelhouse())}
        rows.append(("wheelhouse (the tests' way)", up_and_down(work / "wheelhouse", offline)))

    print()
    print(f"{'from nothing to a served site':<32} {'seconds':>8}")
    for name, seconds in rows:
        print(f"{name:<32} {seconds:>8.0f}")
    print()
    print(
        f"{'deploy':<8} {'seconds':>8} {'requests':>9} {'failed':>7} {'slowest s':>10}"
        "  new revision everywhere"
    )
    for d in deploys:
        print(
            f"{d.how:<8} {d.seconds:>8.0f} {d.requests:>9} {d.failed:>7} {d.slowest:>10.1f}  "
            f"{'yes' if d.served_everywhere else 'NO'}"
            + (f"  ({'; '.join(d.reasons)})" if d.reasons else "")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
