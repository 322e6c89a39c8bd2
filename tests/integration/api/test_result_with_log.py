"""`POST /agent/commands/{id}/result` with the command's last log chunk (`log`), next to the
separate `POST .../log` an older agent sends: same order, same de-duplication, same scrubbing,
and the result means what it meant (docs/agent-protocol.md, Run and Report)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from support.api_harness import Api, make_instance, make_layer, make_stack

FILTERED = "*****FILTERED*****"
SECRET = "s3cret-v4lue"


@dataclass
class Setup:
    """The setup command an instance's agent got, and what it calls with."""

    api: Api
    command_id: str
    headers: dict[str, str]

    def post(self, action: str, body: dict[str, Any] | None = None) -> int:
        path = f"/agent/commands/{self.command_id}/{action}"
        return int(self.api.post(path, body, headers=self.headers).status_code)

    def shown(self) -> dict[str, Any]:
        answer = self.api.get(f"/stacks/demo/commands/{self.command_id}?logs=true")
        assert answer.status_code == 200, answer.text
        return dict(answer.json())

    def instance_status(self) -> str:
        return str(self.api.get("/stacks/demo/instances/app1").json()["status"])


def _setup(api: Api, hostname: str = "app1") -> Setup:
    """A started instance of layer app (deployed to by an app with a secure TOKEN) whose
    agent has acknowledged its setup command."""
    if api.get("/stacks/demo").status_code != 200:
        make_stack(api)
        make_layer(api, "demo", "app", recipes={"setup": ["probe::setup"]})
        app = {
            "shortname": "web",
            "source": {"url": "file:///r"},
            "layers": ["app"],
            "environment": [{"key": "TOKEN", "value": SECRET, "secure": True}],
        }
        assert api.post("/stacks/demo/apps", app).status_code == 201
    make_instance(api, "demo", ["app"], hostname)
    api.post(f"/stacks/demo/instances/{hostname}/start")
    api.tick()
    [start] = [c for c in api.provider.calls if c.method == "start" and c.hostname == hostname]
    headers = api.headers(str(start.args["agent_config"]["credential"]))
    assert api.post("/agent/heartbeat", {"metrics": {}}, headers=headers).status_code == 200
    [command] = api.get("/agent/commands?wait=0", headers=headers).json()["commands"]
    assert command["type"] == "setup"
    setup = Setup(api, command["id"], headers)
    assert setup.post("ack") == 204
    return setup


def test_the_chunk_with_the_result_follows_the_chunks_sent_apart(api: Api) -> None:
    setup = _setup(api)
    assert setup.post("log", {"seq": 0, "lines": ["first"]}) == 204
    result = {"status": "successful", "exit_code": 0, "log": {"seq": 1, "lines": ["b", "c"]}}
    assert setup.post("result", result) == 204
    shown = setup.shown()
    assert (shown["log"], shown["status"], shown["exit_code"]) == ("first\nb\nc\n", "successful", 0)
    assert setup.instance_status() == "online"


def test_a_resent_result_with_its_chunk_does_not_duplicate_lines(api: Api) -> None:
    setup = _setup(api)
    result = {"status": "successful", "exit_code": 0, "log": {"seq": 0, "lines": ["once"]}}
    assert [setup.post("result", result) for _ in range(2)] == [204, 204]
    assert setup.shown()["log"] == "once\n"


def test_a_chunk_already_stored_apart_is_not_doubled_by_the_result(api: Api) -> None:
    setup = _setup(api)
    assert setup.post("log", {"seq": 0, "lines": ["only"]}) == 204
    result = {"status": "successful", "exit_code": 0, "log": {"seq": 0, "lines": ["only"]}}
    assert setup.post("result", result) == 204
    assert setup.shown()["log"] == "only\n"


def test_an_older_agent_sending_its_log_apart_still_works(api: Api) -> None:
    setup = _setup(api)
    assert setup.post("log", {"seq": 0, "lines": ["apart"]}) == 204
    assert setup.post("result", {"status": "successful", "exit_code": 0}) == 204
    shown = setup.shown()
    assert (shown["log"], shown["status"], shown["exit_code"]) == ("apart\n", "successful", 0)
    assert setup.instance_status() == "online"


def test_a_secret_in_the_chunk_is_masked_as_in_a_chunk_sent_apart(api: Api) -> None:
    setup = _setup(api)
    assert setup.post("log", {"seq": 0, "lines": [f"apart TOKEN={SECRET}"]}) == 204
    chunk = {"seq": 1, "lines": [f"with the result TOKEN={SECRET}"]}
    assert setup.post("result", {"status": "successful", "exit_code": 0, "log": chunk}) == 204
    shown = setup.shown()
    assert shown["log"] == f"apart TOKEN={FILTERED}\nwith the result TOKEN={FILTERED}\n"
    assert SECRET not in api.get("/stacks/demo/commands?logs=true").text


def test_a_failed_result_with_its_chunk_fails_the_setup_with_its_exit_code(api: Api) -> None:
    setup = _setup(api)
    chunk = {"seq": 0, "lines": ["error: no such cookbook"]}
    assert setup.post("result", {"status": "failed", "exit_code": 2, "log": chunk}) == 204
    shown = setup.shown()
    assert (shown["status"], shown["exit_code"]) == ("failed", 2)
    assert shown["log"] == "error: no such cookbook\n"
    assert setup.instance_status() == "setup_failed"


def test_a_malformed_chunk_is_refused_naming_the_field_and_nothing_is_stored(api: Api) -> None:
    setup = _setup(api)
    bad = {"status": "successful", "exit_code": 0, "log": {"seq": -1, "lines": ["x"]}}
    answer = api.post(f"/agent/commands/{setup.command_id}/result", bad, headers=setup.headers)
    assert answer.status_code == 422
    assert answer.json()["detail"]["field"] == "log.seq"
    shown = setup.shown()
    assert (shown["status"], shown["log"]) == ("pending", "")


def test_an_unknown_result_field_is_refused_naming_it(api: Api) -> None:
    """What a new agent meets at a server older than `log`: 422 naming the field, which is
    what makes it send its chunk apart (agent/client.py)."""
    setup = _setup(api)
    body = {"status": "successful", "exit_code": 0, "logs": {"seq": 0, "lines": ["x"]}}
    answer = api.post(f"/agent/commands/{setup.command_id}/result", body, headers=setup.headers)
    assert (answer.status_code, answer.json()["detail"]["field"]) == (422, "logs")


def test_another_instances_command_takes_no_chunk(api: Api) -> None:
    own, other = _setup(api), _setup(api, "app2")
    chunk = {"seq": 0, "lines": ["not mine"]}
    body = {"status": "successful", "exit_code": 0, "log": chunk}
    answer = api.post(f"/agent/commands/{own.command_id}/result", body, headers=other.headers)
    assert answer.status_code == 404
    assert (own.shown()["status"], own.shown()["log"]) == ("pending", "")
