"""Agent credentials over the API: one-time expiring registration tokens, rotation carried by the
heartbeat, revocation; and an agent acting only for its own instance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from stackworks.store.tables import RegistrationTokenRow, utcnow
from support.api_harness import Api, make_instance, make_layer, make_stack

from .test_lifecycle import FakeAgent, bring_online

HOST = {"layers": ["app"], "hostname": "box1", "private_ip": "10.9.0.1"}


def _stack(api: Api, name: str = "demo") -> None:
    make_stack(api, name)
    make_layer(api, name, "app")


def _token(api: Api, stack: str = "demo", **body: Any) -> str:
    answer = api.post(f"/stacks/{stack}/registration-tokens", body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def _register(api: Api, token: str, **body: Any) -> Any:
    return api.post("/agent/register", {**HOST, **body}, headers=api.headers(token))


def _hostnames(api: Api, stack: str = "demo") -> list[str]:
    return [i["hostname"] for i in api.get(f"/stacks/{stack}/instances").json()]


def _beat(api: Api, credential: str) -> Any:
    return api.post("/agent/heartbeat", {}, headers=api.headers(credential))


def test_a_registration_token_registers_one_host_and_is_refused_the_second_time(
    api: Api,
) -> None:
    _stack(api)
    token = _token(api)
    first = _register(api, token, stack="demo")
    assert first.status_code == 201, first.text
    assert _beat(api, first.json()["credential"]).status_code == 200
    again = _register(api, token, hostname="box2")
    assert again.status_code == 401
    assert "already used" in again.json()["detail"]["message"]
    assert again.headers["WWW-Authenticate"] == "Bearer"
    assert _hostnames(api) == ["box1"]


def test_an_expired_registration_token_is_refused_and_nothing_is_created(api: Api) -> None:
    _stack(api)
    token = _token(api, expires_in=60)
    with api.db.transaction() as session:
        session.execute(
            update(RegistrationTokenRow).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    answer = _register(api, token)
    assert answer.status_code == 401
    assert "expired at" in answer.json()["detail"]["message"]
    assert _hostnames(api) == []


def test_a_user_token_or_an_agent_credential_cannot_register_a_host(api: Api) -> None:
    _stack(api)
    refused = _register(api, api.token)
    assert refused.status_code == 401
    assert refused.json()["detail"]["message"] == "unknown registration token"
    assert api.post("/agent/register", HOST, headers={}).status_code == 401
    make_instance(api, "demo", ["app"], "app1")
    agent = bring_online(api, "app1")
    assert _register(api, agent.credential).status_code == 401
    assert _hostnames(api) == ["app1"]


def test_a_refused_registration_leaves_the_token_usable(api: Api) -> None:
    _stack(api)
    _stack(api, "other")
    token = _token(api)
    wrong_stack = _register(api, token, stack="other")
    assert wrong_stack.status_code == 401
    assert "is for stack 'demo', not 'other'" in wrong_stack.json()["detail"]["message"]
    bad_layer = _register(api, token, layers=["nope"])
    assert bad_layer.status_code in (404, 422), bad_layer.text
    assert _hostnames(api) == [] and _hostnames(api, "other") == []
    assert _register(api, token).status_code == 201


def test_a_registration_token_lifetime_is_bounded(api: Api) -> None:
    _stack(api)
    for seconds in (0, 8 * 86400):
        answer = api.post("/stacks/demo/registration-tokens", {"expires_in": seconds})
        assert answer.status_code == 422
        assert answer.json()["detail"]["field"] == "expires_in"


def test_rotation_hands_the_agent_a_new_credential_and_its_use_ends_the_old_one(
    api: Api,
) -> None:
    _stack(api)
    make_instance(api, "demo", ["app"], "app1")
    agent = bring_online(api, "app1")
    old = agent.credential
    assert _beat(api, old).json()["credential"] is None
    rotated = api.post("/stacks/demo/instances/app1/rotate-credential", {"grace": 600})
    assert rotated.status_code == 200, rotated.text
    first_offer = _beat(api, old).json()["credential"]
    new = _beat(api, old).json()["credential"]  # an offer never used is replaced
    assert first_offer and new and len({old, first_offer, new}) == 3
    assert _beat(api, first_offer).status_code == 401
    assert api.get("/agent/commands?wait=0", headers=api.headers(old)).status_code == 200
    assert _beat(api, new).json()["credential"] is None  # used: confirmed
    assert _beat(api, old).status_code == 401
    agent.credential = new
    assert agent.heartbeat()["status"] == "online"


def test_an_unconfirmed_rotation_ends_the_old_credential_after_its_grace(api: Api) -> None:
    _stack(api)
    make_instance(api, "demo", ["app"], "app1")
    agent = bring_online(api, "app1")
    api.post("/stacks/demo/instances/app1/rotate-credential", {"grace": 0})
    refused = _beat(api, agent.credential)
    assert refused.status_code == 401


def test_a_revoked_credential_is_refused_and_cannot_be_rotated(api: Api) -> None:
    _stack(api)
    make_instance(api, "demo", ["app"], "app1")
    agent = bring_online(api, "app1")
    assert api.post("/stacks/demo/instances/app1/revoke-credential").status_code == 200
    assert _beat(api, agent.credential).status_code == 401
    assert api.get("/agent/commands?wait=0", headers=api.headers(agent.credential)).status_code == (
        401
    )
    again = api.post("/stacks/demo/instances/app1/rotate-credential", {})
    assert again.status_code == 409
    assert "no credential to rotate" in again.json()["detail"]["message"]


def test_restarting_an_instance_ends_a_rotation_under_way(api: Api) -> None:
    _stack(api)
    make_instance(api, "demo", ["app"], "app1")
    agent = bring_online(api, "app1")
    api.post("/stacks/demo/instances/app1/rotate-credential", {})
    offered = _beat(api, agent.credential).json()["credential"]
    api.post("/stacks/demo/instances/app1/stop")
    api.tick()
    FakeAgent(api, "app1").drain()  # the shutdown
    api.tick()
    api.post("/stacks/demo/instances/app1/start")
    api.tick()
    fresh = FakeAgent(api, "app1")
    assert _beat(api, offered).status_code == 401
    assert _beat(api, agent.credential).status_code == 401
    assert _beat(api, fresh.credential).json()["credential"] is None


def test_an_agent_cannot_touch_another_instances_command_of_its_own_stack(api: Api) -> None:
    _stack(api)
    make_instance(api, "demo", ["app"], "app1")
    make_instance(api, "demo", ["app"], "app2")
    mine = bring_online(api, "app1")
    api.post("/stacks/demo/instances/app2/start")
    api.tick()
    theirs = FakeAgent(api, "app2")
    theirs.heartbeat()  # queues their setup
    command = theirs.next()
    assert command is not None
    h = api.headers(mine.credential)
    for suffix, body in (
        ("ack", None),
        ("log", {"seq": 5, "lines": ["forged"]}),
        ("result", {"status": "failed", "exit_code": 1}),
    ):
        answer = api.post(f"/agent/commands/{command['id']}/{suffix}", body, headers=h)
        assert answer.status_code == 404, suffix
    assert mine.next() is None or mine.next()["id"] != command["id"]
    stored = api.get(f"/stacks/demo/commands/{command['id']}").json()
    assert stored["status"] == "pending"
    assert "forged" not in str(stored)
    theirs.run(command)  # still theirs to run
    assert api.get(f"/stacks/demo/commands/{command['id']}").json()["status"] == "successful"
