"""Results written many to a transaction (api/result_batches.py): each is refused or recorded
as it would be alone, and results that come together are written together."""

from __future__ import annotations

import asyncio
from typing import Any

from stackworks.api.result_batches import Reported, ResultBatches
from stackworks.control import agents
from stackworks.domain.errors import NotFound, Unauthenticated
from stackworks.domain.status import CommandStatus
from stackworks.store import tokens
from support.api_harness import Api
from support.batch_sizes import record_batch_sizes

from .test_lifecycle import FakeAgent
from .test_timeouts import three_online_without_healing


def _configure_everywhere(api: Api) -> dict[str, tuple[FakeAgent, dict[str, Any]]]:
    """Three online instances, each with its configure delivered."""
    three_online_without_healing(api)
    created = api.post("/stacks/demo/deployments", {"command": {"name": "configure"}})
    assert created.status_code == 201, created.text
    delivered = {}
    for hostname in ("app1", "app2", "app3"):
        agent = FakeAgent(api, hostname)
        command = agent.next()
        assert command is not None and command["type"] == "configure"
        delivered[hostname] = (agent, command)
    return delivered


def _reported(agent: FakeAgent, command_id: str) -> Reported:
    report = agents.Report(command_id, CommandStatus.SUCCESSFUL, 0, {})
    return Reported(tokens.hash_token(agent.credential), report)


def _status(api: Api, command_id: str) -> str:
    return str(api.get(f"/stacks/demo/commands/{command_id}").json()["status"])


def test_a_batch_records_the_good_results_and_refuses_the_others_each_alone(api: Api) -> None:
    delivered = _configure_everywhere(api)
    (agent1, c1), (agent2, c2), (agent3, c3) = delivered.values()
    batches: ResultBatches = api.client.app.state.result_batches  # type: ignore[attr-defined]
    unknown = Reported("0" * 64, agents.Report(c1["id"], CommandStatus.SUCCESSFUL, 0, {}))
    outcomes = batches.commit(
        [
            _reported(agent1, c1["id"]),
            _reported(agent2, c3["id"]),  # another instance's command
            unknown,
            _reported(agent3, c3["id"]),
        ]
    )
    assert outcomes[0] is None and outcomes[3] is None
    assert isinstance(outcomes[1], NotFound)
    assert isinstance(outcomes[2], Unauthenticated)
    assert [_status(api, c["id"]) for c in (c1, c2, c3)] == ["successful", "pending", "successful"]


def test_results_that_come_together_are_written_in_one_transaction(api: Api) -> None:
    delivered = _configure_everywhere(api)
    batches: ResultBatches = api.client.app.state.result_batches  # type: ignore[attr-defined]
    sizes = record_batch_sizes(batches)

    async def report_all() -> None:
        await asyncio.gather(
            *(batches.write(_reported(agent, c["id"])) for agent, c in delivered.values())
        )

    asyncio.run(report_all())
    assert sizes == [3]
    assert {_status(api, c["id"]) for _, c in delivered.values()} == {"successful"}


def test_a_result_for_another_instances_command_is_404_over_http(api: Api) -> None:
    delivered = _configure_everywhere(api)
    (agent1, _c1), (_agent2, c2), _ = delivered.values()
    answer = api.post(
        f"/agent/commands/{c2['id']}/result",
        {"status": "successful", "exit_code": 0},
        headers=api.headers(agent1.credential),
    )
    assert answer.status_code == 404
    assert _status(api, c2["id"]) == "pending"
