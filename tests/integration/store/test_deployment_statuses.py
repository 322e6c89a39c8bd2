"""A deployment's commands counted by status (what settling a deployment asks on every
result), over all of it and over one step of a rolling one."""

from __future__ import annotations

from pathlib import Path

from stackworks.domain.status import CommandStatus
from stackworks.store import commands as command_store
from stackworks.store.tables import CommandRow
from support.api_harness import make_instance, make_layer, make_stack, serve_api


def test_a_deployments_commands_are_counted_by_status_over_all_and_per_step(
    tmp_path: Path,
) -> None:
    with serve_api(f"sqlite:///{tmp_path / 'db'}", tmp_path) as api:
        make_stack(api, "demo")
        make_layer(api, "demo", "app")
        for host in ("app1", "app2", "app3"):
            make_instance(api, "demo", ["app"], host)
        stack_id = api.get("/stacks/demo").json()["id"]
        instance_ids = [i["id"] for i in api.get("/stacks/demo/instances").json()]
        # the commands of two deployments, made by hand (no instance needs to run them)
        with api.db.transaction() as session:
            for n, (status, step) in enumerate(
                [("pending", 0), ("failed", 0), ("successful", 1), ("pending", 1)]
            ):
                session.add(
                    CommandRow(
                        id=f"c{n}",
                        stack_id=stack_id,
                        instance_id=instance_ids[n % 3],
                        deployment_id="d1",
                        deployment_step=step,
                        type="execute_recipes",
                        status=status,
                    )
                )
            session.add(
                CommandRow(
                    id="other",
                    stack_id=stack_id,
                    instance_id=instance_ids[0],
                    deployment_id="d2",
                    type="configure",
                    status="pending",
                )
            )
            session.flush()
            overall = command_store.statuses_in_deployment(session, "d1")
            first_step = command_store.statuses_in_deployment(session, "d1", 0)
            second_step = command_store.statuses_in_deployment(session, "d1", 1)
        assert overall == {
            CommandStatus.PENDING: 2,
            CommandStatus.FAILED: 1,
            CommandStatus.SUCCESSFUL: 1,
        }
        assert first_step == {CommandStatus.PENDING: 1, CommandStatus.FAILED: 1}
        assert second_step == {CommandStatus.SUCCESSFUL: 1, CommandStatus.PENDING: 1}
        assert second_step[CommandStatus.FAILED] == 0  # a status none has counts nothing
