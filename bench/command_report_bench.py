"""What reporting one finished command costs the server: its log chunk sent apart, or with the
result (docs/agent-protocol.md, Report).

Figures printed (nothing asserted), for each way, over the same number of commands of one
instance, taken in turns so that a load on the machine weighs on both alike:
- requests per command after its ack (log + result, or result with `log`);
- median wall time and process CPU per command of those requests (the ack excluded).

The API runs in-process (FastAPI's TestClient) on a throwaway SQLite database, so the figures
are the server's own work (and the test client's) without network; commands are queued
through the store, an online `registered` instance with its own credential runs them.

    .venv/bin/python bench/command_report_bench.py [--commands 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from stackworks.domain.entities import Command, Instance  # noqa: E402
from stackworks.domain.status import CommandName, InstanceStatus  # noqa: E402
from stackworks.store import commands as command_store  # noqa: E402
from stackworks.store import instances as instance_store  # noqa: E402
from stackworks.store import stacks as stack_store  # noqa: E402
from stackworks.store import tokens  # noqa: E402
from support.api_harness import Api, make_stack, serve_api  # noqa: E402

CREDENTIAL = "bench-agent-credential"
LINES = [f"* resource {n}: up to date" for n in range(20)]
RESULT = {"status": "successful", "exit_code": 0, "report": {"ok": True, "resources": []}}


def online_instance(api: Api) -> str:
    make_stack(api, "shop")
    with api.db.transaction() as session:
        stack = stack_store.get_by_name(session, "shop")
        instance = instance_store.create(
            session,
            Instance(
                id="",
                stack_id=stack.id,
                hostname="web1",
                layers=(),
                status=InstanceStatus.ONLINE,
                provider="registered",
            ),
        )
        instance_store.update_fields(
            session, instance.id, credential_hash=tokens.hash_token(CREDENTIAL)
        )
    return instance.id


def queue(api: Api, instance_id: str, count: int) -> list[str]:
    with api.db.transaction() as session:
        stack = stack_store.get_by_name(session, "shop")
        ids = [f"bench-{n}" for n in range(count)]
        for command_id in ids:
            command = Command(
                id=command_id,
                stack_id=stack.id,
                instance_id=instance_id,
                type=CommandName.EXECUTE_RECIPES,
                run_list=("web::deploy",),
            )
            command_store.add(session, command, timeout=600, flush=False)
    return ids


def report(api: Api, command_id: str, *, with_result: bool) -> tuple[float, float, int]:
    """Ack the command, then report it one way: (wall s, CPU s, requests) after the ack."""
    headers = api.headers(CREDENTIAL)
    base = f"/api/v1/agent/commands/{command_id}"
    assert api.client.post(f"{base}/ack", headers=headers).status_code == 204
    chunk = {"seq": 0, "lines": LINES}
    bodies = (
        [(f"{base}/result", {**RESULT, "log": chunk})]
        if with_result
        else [(f"{base}/log", chunk), (f"{base}/result", RESULT)]
    )
    wall, cpu = time.perf_counter(), time.process_time()
    for path, body in bodies:
        answer = api.client.post(path, json=body, headers=headers)
        assert answer.status_code == 204, answer.text
    return time.perf_counter() - wall, time.process_time() - cpu, len(bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=300, help="commands for each way")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stackworks-report-bench-") as work:
        database = f"sqlite:///{Path(work) / 'bench.db'}"
        with serve_api(database, Path(work)) as api:
            instance_id = online_instance(api)
            ids = queue(api, instance_id, 2 * args.commands)
            ways: dict[bool, list[tuple[float, float, int]]] = {False: [], True: []}
            for number, command_id in enumerate(ids):
                with_result = number % 2 == 1
                ways[with_result].append(report(api, command_id, with_result=with_result))
    print(f"{args.commands} commands each way, {len(LINES)} log lines each, SQLite in-process:")
    for with_result, label in ((False, "log apart, then result"), (True, "result with its log")):
        runs = ways[with_result]
        print(
            f"  {label:<24} {runs[0][2]} requests   "
            f"median {statistics.median(r[0] for r in runs) * 1000:6.2f} ms   "
            f"CPU {statistics.median(r[1] for r in runs) * 1000:6.2f} ms per command"
        )


if __name__ == "__main__":
    main()
