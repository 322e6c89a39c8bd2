"""Every call needs a token; an agent's credential acts for its own instance and nothing else."""

from __future__ import annotations

from support.api_harness import Api, make_instance, make_layer, make_stack


def start_and_credential(api: Api, stack: str, hostname: str) -> str:
    api.post(f"/stacks/{stack}/instances/{hostname}/start")
    api.tick()
    call = [c for c in api.provider.calls if c.method == "start" and c.hostname == hostname][-1]
    return str(call.args["agent_config"]["credential"])


def test_no_token_or_a_wrong_token_is_refused(api: Api) -> None:
    assert api.client.get("/api/v1/stacks").status_code == 401
    wrong = api.client.get("/api/v1/stacks", headers={"Authorization": "Bearer swk_nope"})
    assert wrong.status_code == 401
    assert api.client.get("/api/v1/health").status_code == 401


def test_an_agent_credential_is_not_a_user_token_and_vice_versa(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    credential = start_and_credential(api, "demo", "app1")
    assert api.get("/stacks", headers=api.headers(credential)).status_code == 401
    assert api.post("/agent/heartbeat", {}, headers=api.headers()).status_code == 401
    assert api.post("/agent/heartbeat", {}, headers=api.headers(credential)).status_code == 200


def test_one_instances_credential_cannot_touch_another_stacks_commands(api: Api) -> None:
    for stack in ("one", "two"):
        make_stack(api, stack)
        make_layer(api, stack, "app")
        make_instance(api, stack, ["app"], "app1")
    mine = start_and_credential(api, "one", "app1")
    theirs = start_and_credential(api, "two", "app1")
    api.post("/agent/heartbeat", {}, headers=api.headers(theirs))  # queues their setup
    their_command = api.get("/agent/commands?wait=0", headers=api.headers(theirs)).json()
    command_id = their_command["commands"][0]["id"]
    for suffix, body in (
        ("ack", None),
        ("log", {"seq": 0, "lines": ["x"]}),
        ("result", {"status": "failed", "exit_code": 1}),
    ):
        answer = api.post(f"/agent/commands/{command_id}/{suffix}", body, headers=api.headers(mine))
        assert answer.status_code == 404, suffix
    assert api.get("/agent/commands?wait=0", headers=api.headers(mine)).json()["commands"] == []


def test_restarting_an_instance_replaces_its_credential(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    first = start_and_credential(api, "demo", "app1")
    api.post("/stacks/demo/instances/app1/stop")
    api.tick()
    second = start_and_credential(api, "demo", "app1")
    assert first != second
    assert api.post("/agent/heartbeat", {}, headers=api.headers(first)).status_code == 401


def test_a_deploy_token_can_read_and_deploy_but_not_change_the_stack(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    created = api.post("/tokens", {"name": "ci", "role": "deploy"})
    assert created.status_code == 201
    ci = created.json()["token"]
    assert api.get("/tokens").json()[0]["name"] in ("admin", "ci")
    assert "token" not in api.get("/tokens").text
    ci_headers = api.headers(ci)
    assert api.get("/stacks/demo", headers=ci_headers).status_code == 200
    refused = api.post("/stacks/demo/layers", {"shortname": "x"}, headers=ci_headers)
    assert refused.status_code == 403
    assert refused.json()["detail"]["message"] == (
        "this needs manage on stack 'demo'; user 'ci' has deploy"
    )
    assert (
        api.post("/stacks/demo/instances", {"layers": ["app"]}, headers=ci_headers).status_code
        == 403
    )
    assert api.post("/tokens", {"name": "more"}, headers=ci_headers).status_code == 403
    # a deployment with nothing online is refused for what it is, not for the role
    deploy = api.post(
        "/stacks/demo/deployments", {"command": {"name": "configure"}}, headers=ci_headers
    )
    assert deploy.status_code == 409
    assert api.delete("/tokens/ci").status_code == 204
    assert api.get("/stacks", headers=ci_headers).status_code == 401
