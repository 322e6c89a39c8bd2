"""Two results of one deployment recorded at the same moment, in two transactions on
PostgreSQL (two API threads, or two replicas): the second settles after the first committed and
sees it, so the deployment ends instead of staying running with every command done. And a
deployment left running with every command done (results racing past the settle threshold) is
settled by the orchestrator's next scan."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from stackworks.control import agents
from stackworks.domain.status import CommandStatus, InstanceStatus
from stackworks.store import commands as command_store
from stackworks.store import deployments as deployment_store
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store.tables import utcnow
from support.api_harness import Api, make_instance, make_layer, make_stack, serve_api_on_postgres
from support.postgres import PostgresServer

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


@pytest.fixture
def api(postgres_server: PostgresServer, tmp_path: Path) -> Iterator[Api]:
    with serve_api_on_postgres(postgres_server, tmp_path) as served:
        yield served


def running_deployment_on_two_online_instances(api: Api) -> str:
    make_stack(api, "core")
    make_layer(api, "core", "app")
    hosts = [make_instance(api, "core", ["app"], f"app{n}") for n in (1, 2)]
    with api.db.transaction() as session:
        stack = stack_store.get_by_name(session, "core")
        for host in hosts:  # online (the lifecycle is tested elsewhere)
            found = instance_store.get_by_hostname(session, stack.id, host)
            instance_store.set_status(session, found.id, InstanceStatus.ONLINE, "", None)
    answer = api.post(
        "/stacks/core/deployments",
        {"command": {"name": "execute_recipes", "args": {"recipes": ["cb::r"]}}},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def test_two_results_settling_one_deployment_at_once_finish_it(api: Api) -> None:
    deployment_id = running_deployment_on_two_online_instances(api)
    with api.db.transaction() as session:
        rows = command_store.for_deployment(session, deployment_id)
        work = [(instance_store.get(session, r.instance_id), r.id) for r in rows]
    assert len(work) == 2

    first_recorded = threading.Event()
    second_started = threading.Event()
    errors: list[BaseException] = []

    def record(index: int) -> None:
        instance, command_id = work[index]
        try:
            if index == 1:
                first_recorded.wait(10)
                second_started.set()
            with api.db.transaction() as session:
                agents.complete(session, instance, command_id, CommandStatus.SUCCESSFUL, 0, {})
                if index == 0:  # recorded, not yet committed: the second arrives now
                    first_recorded.set()
                    second_started.wait(10)
                    threading.Event().wait(1.0)  # room for the second to run ahead if it could
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=record, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    with api.db.transaction() as session:
        deployment = deployment_store.get_any(session, deployment_id)
    assert deployment is not None
    assert deployment.status.value == "successful"


def test_a_deployment_whose_commands_all_finished_unsettled_is_settled_by_the_next_scan(
    api: Api,
) -> None:
    deployment_id = running_deployment_on_two_online_instances(api)
    with api.db.transaction() as session:  # finished without settling, as racing results leave it
        for row in command_store.for_deployment(session, deployment_id):
            command_store.finish(session, row, CommandStatus.SUCCESSFUL, 0, utcnow())
    with api.db.transaction() as session:
        left = deployment_store.get_any(session, deployment_id)
    assert left is not None and left.status.value == "running"
    api.tick()
    with api.db.transaction() as session:
        settled = deployment_store.get_any(session, deployment_id)
    assert settled is not None and settled.status.value == "successful"
