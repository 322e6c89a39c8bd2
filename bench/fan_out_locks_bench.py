"""What the configure fan-out's row locks cost on PostgreSQL, alone and against results.

Figures printed (nothing asserted):
- one stack-wide configure fan-out over N online instances that each have an unstarted
  configure to supersede (control/commands.py `fan_out_configure_stack`, whose
  `SELECT ... FOR UPDATE` takes the configures in instance-id order): the median and slowest
  of a few runs;
- the same fan-out while threads record results of the configures it supersedes
  (control/agents.py `complete`): its time, how many results were recorded, how many
  transactions PostgreSQL aborted, and how many configures ended both ways, a result recorded
  and then marked superseded over it (there should be none of either).

It starts a throwaway PostgreSQL on 127.0.0.1 (tests/support/postgres.py), fills it through the
store, and stops the server when done.

    .venv/bin/python bench/fan_out_locks_bench.py [--instances 1000] [--runs 5] [--reporters 4]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError

from stackworks.control import agents, commands
from stackworks.domain.entities import Instance, Layer, Stack
from stackworks.domain.status import CommandName, CommandStatus, InstanceStatus
from stackworks.store import commands as command_store
from stackworks.store import contention
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import stacks as stack_store
from stackworks.store.db import Database
from stackworks.store.ids import new_id
from stackworks.store.tables import CommandRow
from support.postgres import start_server


def online_stack(db: Database, count: int) -> str:
    with db.transaction() as session:
        stack = stack_store.create(session, Stack(id=new_id(), name="bench"))
        layer_store.create(
            session, Layer(id=new_id(), stack_id=stack.id, shortname="app", name="app")
        )
        for n in range(count):
            instance = Instance(
                id=new_id(),
                stack_id=stack.id,
                hostname=f"app{n}",
                layers=("app",),
                status=InstanceStatus.ONLINE,
            )
            instance_store.create(session, instance)
        commands.fan_out_configure_stack(session, stack.id, "bench: first configure")
    return stack.id


def timed_fan_out(db: Database, stack_id: str) -> float:
    start = time.perf_counter()
    with db.transaction() as session:
        commands.fan_out_configure_stack(session, stack_id, "bench: fan-out")
    return time.perf_counter() - start


def fan_out_against_results(db: Database, stack_id: str, reporters: int) -> tuple[float, int, int]:
    """(fan-out seconds, results recorded, transactions aborted) with `reporters` threads
    recording results of pending configures until the fan-out is done."""
    with db.transaction() as session:
        instances = instance_store.list_for_stack(session, stack_id)
    done = threading.Event()
    recorded, aborted = [0], [0]
    count_lock = threading.Lock()

    def report(share: list[Instance]) -> None:
        for instance in share:
            if done.is_set():
                return
            try:
                with db.transaction() as session:
                    pending = command_store.pending_for_instance(session, instance.id)
                    ids = [r.id for r in pending if r.type == CommandName.CONFIGURE.value]
                    for command_id in ids[:1]:
                        agents.complete(
                            session, instance, command_id, CommandStatus.SUCCESSFUL, 0, {}
                        )
                with count_lock:
                    recorded[0] += bool(ids)
            except DBAPIError as error:
                if not contention.gave_way(error):
                    raise
                with count_lock:
                    aborted[0] += 1

    threads = [
        threading.Thread(target=report, args=(instances[n::reporters],)) for n in range(reporters)
    ]
    for thread in threads:
        thread.start()
    start = time.perf_counter()
    try:
        with db.transaction() as session:
            commands.fan_out_configure_stack(session, stack_id, "bench: fan-out under results")
    except DBAPIError as error:
        if not contention.gave_way(error):
            raise
        aborted[0] += 1
    took = time.perf_counter() - start
    done.set()
    for thread in threads:
        thread.join(60)
    return took, recorded[0], aborted[0]


def ended_twice(db: Database, stack_id: str) -> int:
    """Configures marked superseded after their result was recorded (they have an exit code)."""
    with db.transaction() as session:
        count = session.scalar(
            select(func.count())
            .select_from(CommandRow)
            .where(
                CommandRow.stack_id == stack_id,
                CommandRow.status == CommandStatus.SKIPPED.value,
                CommandRow.exit_code.is_not(None),
            )
        )
    return int(count or 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reporters", type=int, default=4)
    options = parser.parse_args()
    server = start_server()
    try:
        db = Database(server.url(server.create_database()))
        db.upgrade()
        stack_id = online_stack(db, options.instances)
        runs = [timed_fan_out(db, stack_id) for _ in range(options.runs)]
        print(
            f"fan-out over {options.instances} instances, each superseding one configure: "
            f"median {statistics.median(runs):.3f} s, slowest {max(runs):.3f} s"
        )
        took, recorded, aborted = fan_out_against_results(db, stack_id, options.reporters)
        print(
            f"the same with {options.reporters} threads recording results: {took:.3f} s, "
            f"{recorded} results recorded meanwhile, {aborted} transactions aborted, "
            f"{ended_twice(db, stack_id)} configures superseded over their result"
        )
        db.dispose()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
