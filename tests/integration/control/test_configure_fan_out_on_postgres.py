"""Configure fan-outs crossing agents' results on PostgreSQL, in concurrent transactions (API
threads, or replicas on one database).

A fan-out supersedes the unstarted configures of every online instance while agents report
results of those same configures. Each command must end once, either with its result or
superseded, never both; and neither side may be aborted by PostgreSQL's deadlock detector.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.control import agents, commands, deployments, stack_power
from stackworks.domain.entities import Instance
from stackworks.domain.status import CommandName, CommandStatus, InstanceStatus
from stackworks.store import commands as command_store
from stackworks.store import deployments as deployment_store
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store.tables import CommandRow, utcnow
from support.api_harness import Api, make_instance, make_layer, make_stack, serve_api_on_postgres
from support.postgres import PostgresServer

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

HOSTS = 6
ROUNDS = 8
JOIN_TIMEOUT = 30.0


@pytest.fixture
def api(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[Api]:
    with serve_api_on_postgres(postgres_server, tmp_path) as served:
        yield served


@dataclass
class Fleet:
    stack_id: str
    instances: list[Instance]


def online_fleet(api: Api, hosts: int) -> Fleet:
    """A stack of `hosts` online instances (the lifecycle is tested elsewhere), each with one
    pending configure."""
    make_stack(api, "core")
    make_layer(api, "core", "app")
    names = [make_instance(api, "core", ["app"], f"app{n}") for n in range(1, hosts + 1)]
    with api.db.transaction() as session:
        stack_id = stack_store.get_by_name(session, "core").id
        found = [instance_store.get_by_hostname(session, stack_id, name) for name in names]
        for instance in found:
            instance_store.set_status(session, instance.id, InstanceStatus.ONLINE, "", None)
        commands.fan_out_configure_stack(session, stack_id, "test: first configure")
    with api.db.transaction() as session:
        instances = [instance_store.get(session, i.id) for i in found]
    return Fleet(stack_id, instances)


def pending_configure(session: Session, instance: Instance) -> str | None:
    rows = command_store.pending_for_instance(session, instance.id)
    return next((r.id for r in rows if r.type == CommandName.CONFIGURE.value), None)


def configures(api: Api, stack_id: str) -> list[CommandRow]:
    with api.db.transaction() as session:
        return list(
            session.scalars(
                select(CommandRow).where(
                    CommandRow.stack_id == stack_id,
                    CommandRow.type == CommandName.CONFIGURE.value,
                )
            )
        )


def ended_once(row: CommandRow) -> bool:
    """A command ended one way: with the agent's result (its exit code, never marked
    superseded) or superseded (no exit code), or still pending."""
    if row.status == CommandStatus.SKIPPED.value:
        return row.exit_code is None and commands.SUPERSEDED in row.log
    if row.status == CommandStatus.SUCCESSFUL.value:
        return row.exit_code == 0 and commands.SUPERSEDED not in row.log
    return row.status == CommandStatus.PENDING.value


def run_threads(targets: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as error:  # the test reports it, whatever it is
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread is still waiting for a lock"
    return errors


def test_a_fan_out_waiting_for_a_result_leaves_the_finished_configure_alone(api: Api) -> None:
    """The crossing made to happen: the result holds its rows, uncommitted, while the fan-out
    reaches the same configure. The fan-out must wait and then leave it finished, not read it
    as pending before the wait and mark the successful configure skipped after it."""
    fleet = online_fleet(api, 2)
    target = fleet.instances[0]
    with api.db.transaction() as session:
        command_id = pending_configure(session, target)
    assert command_id is not None
    recorded, fanned_out = threading.Event(), threading.Event()

    def result() -> None:
        with api.db.transaction() as session:
            agents.complete(session, target, command_id, CommandStatus.SUCCESSFUL, 0, {})
            recorded.set()
            fanned_out.wait(1.0)  # the fan-out is waiting for this row now (it cannot finish)

    def fan_out() -> None:
        recorded.wait(10)
        with api.db.transaction() as session:
            commands.fan_out_configure_stack(session, fleet.stack_id, "test: fan-out")
        fanned_out.set()

    assert run_threads([result, fan_out]) == []
    rows = {r.id: r for r in configures(api, fleet.stack_id)}
    assert rows[command_id].status == CommandStatus.SUCCESSFUL.value
    assert all(ended_once(r) for r in rows.values()), [
        (r.id, r.status, r.exit_code, r.log) for r in rows.values()
    ]


def test_results_and_fan_outs_at_once_end_every_configure_once_without_deadlock(
    api: Api,
) -> None:
    """ROUNDS rounds, each of HOSTS results of pending configures and two fan-outs started at
    once: no transaction is aborted, and every configure ends once."""
    fleet = online_fleet(api, HOSTS)

    def report(instance: Instance) -> Callable[[], None]:
        def run() -> None:
            with api.db.transaction() as session:
                command_id = pending_configure(session, instance)
            if command_id is None:
                return
            with api.db.transaction() as session:
                agents.complete(session, instance, command_id, CommandStatus.SUCCESSFUL, 0, {})

        return run

    def fan_out() -> None:
        with api.db.transaction() as session:
            commands.fan_out_configure_stack(session, fleet.stack_id, "test: fan-out")

    for _ in range(ROUNDS):
        errors = run_threads([report(i) for i in fleet.instances] + [fan_out, fan_out])
        assert errors == [], errors
    rows = configures(api, fleet.stack_id)
    assert len(rows) == HOSTS * (1 + 2 * ROUNDS)  # every fan-out queued its configures
    assert [(r.id, r.status, r.log) for r in rows if not ended_once(r)] == []
    assert any(r.status == CommandStatus.SUCCESSFUL.value for r in rows)


def test_stopping_a_stack_while_a_result_holds_one_of_its_instances_does_not_deadlock(
    api: Api,
) -> None:
    """A stack stop takes many instances' rows in one transaction. Stopping the first one
    supersedes the others' configures; if it then had to wait for an instance whose result
    holds its row and waits for that configure, each would wait for the other. The result here
    takes its instance's row a moment before its command's, as `agents.complete` does."""
    fleet = online_fleet(api, 2)
    holder = fleet.instances[-1]  # app2: the stop reaches it last
    with api.db.transaction() as session:
        command_id = pending_configure(session, holder)
    assert command_id is not None
    holding, stopped = threading.Event(), threading.Event()

    def result() -> None:
        with api.db.transaction() as session:
            instance_store.get(session, holder.id, lock=True)
            holding.set()
            stopped.wait(1.5)  # the stop is on its way; it cannot finish while this holds
            agents.complete(session, holder, command_id, CommandStatus.SUCCESSFUL, 0, {})

    def stop() -> None:
        holding.wait(10)
        with api.db.transaction() as session:
            stack_power.stop_stack(session, stack_store.get(session, fleet.stack_id))
        stopped.set()

    assert run_threads([result, stop]) == []
    with api.db.transaction() as session:
        statuses = {
            i.hostname: i.status for i in instance_store.list_for_stack(session, fleet.stack_id)
        }
    assert set(statuses.values()) == {InstanceStatus.STOPPING}
    rows = {r.id: r for r in configures(api, fleet.stack_id)}
    assert rows[command_id].status == CommandStatus.SUCCESSFUL.value
    assert all(ended_once(r) for r in rows.values())


def test_timing_out_commands_while_a_result_settles_the_same_deployment_does_not_deadlock(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The orchestrator's time-out pass finishes commands of several instances in one
    transaction, each settling its deployment. Were it to take the next instance's row only
    after settling the first command's deployment, a result on that next instance (holding
    its row, about to settle the same deployment) and the pass would wait for each other.
    The result here is held just before it settles, the point where it crossed the pass; and
    the pass, settling after it, must see its result, though it read that command before (as
    still pending), or the deployment would stay running with every command done."""
    fleet = online_fleet(api, 2)
    answer = api.post(
        "/stacks/core/deployments",
        {"command": {"name": "execute_recipes", "args": {"recipes": ["cb::r"]}}},
    )
    assert answer.status_code == 201, answer.text
    deployment_id = answer.json()["id"]
    by_instance = {i.id: i for i in fleet.instances}
    with api.db.transaction() as session:
        rows = sorted(
            command_store.for_deployment(session, deployment_id), key=lambda r: r.created_at
        )
        work = [(by_instance[r.instance_id], r.id) for r in rows]
        for instance, command_id in work:
            agents.acknowledge(session, instance, command_id)
    (_, first), (second_instance, second) = work  # the pass reaches the second one last
    settling, passed = threading.Event(), threading.Event()
    settle = deployments.settle

    def held_settle(session: Session, deployment: str | None) -> None:
        if threading.current_thread().name == "result":
            settling.set()
            passed.wait(1.5)  # the pass is on its way; it cannot finish while this holds
        settle(session, deployment)

    monkeypatch.setattr(deployments, "settle", held_settle)

    def result() -> None:
        threading.current_thread().name = "result"
        with api.db.transaction() as session:
            agents.complete(session, second_instance, second, CommandStatus.SUCCESSFUL, 0, {})

    def time_out() -> None:
        settling.wait(10)
        later = utcnow() + timedelta(hours=3)  # past both commands' time-outs
        with api.db.transaction() as session:
            api.orchestrator._expire_commands(session, later)
        passed.set()

    assert run_threads([result, time_out]) == []
    with api.db.transaction() as session:
        statuses = {r.id: r.status for r in command_store.for_deployment(session, deployment_id)}
        deployment = deployment_store.get_any(session, deployment_id)
    assert statuses == {first: "failed", second: "successful"}
    assert deployment is not None and deployment.status.value == "failed"
