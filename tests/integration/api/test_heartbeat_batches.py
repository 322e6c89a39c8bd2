"""Heartbeats written many to a transaction (api/heartbeat_batches.py): each is kept and
answered as it would be alone, a bad credential is refused alone, and heartbeats that come
together are written together."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from stackworks.api.heartbeat_batches import Beat, HeartbeatBatches, Kept
from stackworks.domain.errors import NotFound, Unauthenticated
from stackworks.store import agent_credentials, tokens
from support.api_harness import Api
from support.batch_sizes import record_batch_sizes

from .test_lifecycle import FakeAgent
from .test_timeouts import three_online_without_healing


def _beat(agent: FakeAgent, cpu: float) -> Beat:
    return Beat(tokens.hash_token(agent.credential), {"cpu": cpu})


def _batches(api: Api) -> HeartbeatBatches:
    return api.client.app.state.heartbeat_batches  # type: ignore[attr-defined,no-any-return]


def _cpu(api: Api, hostname: str) -> Any:
    return api.get(f"/stacks/demo/instances/{hostname}").json()["metrics"].get("cpu")


def test_a_batch_keeps_each_good_heartbeat_and_refuses_an_unknown_credential_alone(
    api: Api,
) -> None:
    three_online_without_healing(api)
    agent1, agent2 = FakeAgent(api, "app1"), FakeAgent(api, "app2")
    untouched = _cpu(api, "app3")
    outcomes = _batches(api).commit(
        [_beat(agent2, 22.0), Beat("0" * 64, {"cpu": 99.0}), _beat(agent1, 11.0)]
    )
    assert isinstance(outcomes[1], Unauthenticated)
    kept = [o for o in outcomes if isinstance(o, Kept)]
    assert [k.reply.status for k in kept] == ["online", "online"]
    assert all(k.reply.heartbeat_interval > 0 and not k.moved for k in kept)
    assert (_cpu(api, "app1"), _cpu(api, "app2"), _cpu(api, "app3")) == (11.0, 22.0, untouched)


def test_heartbeats_that_come_together_are_written_in_one_transaction(api: Api) -> None:
    three_online_without_healing(api)
    agents = [FakeAgent(api, h) for h in ("app1", "app2", "app3")]
    batches = _batches(api)
    sizes = record_batch_sizes(batches)

    async def beat_all() -> list[Kept]:
        return await asyncio.gather(
            *(batches.write(_beat(agent, 5.0 + n)) for n, agent in enumerate(agents))
        )

    kept = asyncio.run(beat_all())
    assert sizes == [3]
    assert [k.reply.status for k in kept] == ["online"] * 3
    assert [_cpu(api, h) for h in ("app1", "app2", "app3")] == [5.0, 6.0, 7.0]


def test_a_heartbeat_with_an_unknown_credential_is_401_over_http(api: Api) -> None:
    three_online_without_healing(api)
    answer = api.post(
        "/agent/heartbeat", {"metrics": {"cpu": 1.0}}, headers=api.headers("swi_" + "0" * 40)
    )
    assert answer.status_code == 401


def test_a_heartbeat_whose_instance_went_meanwhile_is_refused_alone(api: Api) -> None:
    three_online_without_healing(api)
    agent1 = FakeAgent(api, "app1")
    with api.db.transaction() as session:
        named = agent_credentials.authenticate_many(session, [tokens.hash_token(agent1.credential)])
        [app1] = named.values()
        gone = replace(app1, id="no-such-instance")
        answers = _batches(api).write_named(
            session, [(gone, _beat(agent1, 1.0)), (app1, _beat(agent1, 33.0))]
        )
    assert isinstance(answers[0], NotFound)
    assert isinstance(answers[1], Kept)
    assert _cpu(api, "app1") == 33.0
