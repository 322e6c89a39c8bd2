"""The audit log over the API: changes, deployments and refusals recorded with who, when and
what, secrets never stored, reads and agent calls left out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

from stackworks.store.tables import utcnow
from support.api_harness import Api, make_instance, make_layer, make_stack

from .test_lifecycle import bring_online

SECRET = "s3cret-value-never-stored"
SOURCE_TOKEN = "ghp_tokenInTheUrl"


def _audit(api: Api, stack: str = "demo", **params: Any) -> list[dict[str, Any]]:
    answer = api.get(f"/stacks/{stack}/audit", params=params)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def _raw_audit_bytes(api: Api) -> bytes:
    with api.db.transaction() as session:
        rows = session.execute(text("SELECT * FROM audit_log")).all()
    return repr([tuple(row) for row in rows]).encode()


def _create_app(api: Api) -> Any:
    return api.post(
        "/stacks/demo/apps",
        {
            "shortname": "web",
            "source": {"url": f"https://{SOURCE_TOKEN}@git.example/web.git"},
            "environment": [
                {"key": "GREETING", "value": "hello"},
                {"key": "SECRET_KEY", "value": SECRET, "secure": True},
            ],
        },
    )


def test_a_change_is_recorded_with_who_when_what_and_its_secrets_masked(api: Api) -> None:
    before = utcnow()
    make_stack(api)
    assert _create_app(api).status_code == 201
    patched = api.patch("/stacks/demo/apps/web", {"name": "Web shop"})
    assert patched.status_code == 200
    records = _audit(api)
    assert [r["action"] for r in records] == [
        "POST /stacks",
        "POST /stacks/{stack}/apps",
        "PATCH /stacks/{stack}/apps/{app}",
    ]
    created = records[1]
    assert created["user"] == "admin"
    assert created["stack"] == "demo"
    assert created["target"] == "/stacks/demo/apps"
    assert created["status"] == 201
    assert before <= datetime.fromisoformat(created["at"]) <= utcnow()
    body = created["changes"]["body"]
    assert body["environment"] == [
        {"key": "GREETING", "value": "hello"},
        {"key": "SECRET_KEY", "value": "*****FILTERED*****", "secure": True},
    ]
    assert body["source"]["url"] == "https://*****FILTERED*****@git.example/web.git"
    assert records[2]["changes"] == {"body": {"name": "Web shop"}}
    assert records[2]["target"] == "/stacks/demo/apps/web"
    raw = _raw_audit_bytes(api)
    assert SECRET.encode() not in raw and SOURCE_TOKEN.encode() not in raw
    assert SECRET not in api.get("/audit").text


def test_a_deployment_is_recorded(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    bring_online(api, "app1")
    answer = api.post(
        "/stacks/demo/deployments",
        {"command": {"name": "execute_recipes", "args": {"recipes": ["x::y"]}}, "comment": "hi"},
    )
    assert answer.status_code == 201, answer.text
    deployment = _audit(api)[-1]
    assert deployment["action"] == "POST /stacks/{stack}/deployments"
    assert deployment["status"] == 201
    assert deployment["user"] == "admin"
    assert deployment["changes"]["body"]["comment"] == "hi"
    actions = [r["action"] for r in _audit(api)]
    assert "POST /stacks/{stack}/instances/{hostname}/start" in actions


def test_failed_and_refused_changes_are_recorded_with_their_status(api: Api) -> None:
    make_stack(api)
    assert api.patch("/stacks/demo/layers/nope", {"name": "x"}).status_code == 404
    assert api.post("/stacks/demo/layers", {"shortname": "bad name!"}).status_code == 422
    ci = api.post("/tokens", {"name": "ci", "role": "deploy"}).json()["token"]
    refused = api.post("/stacks/demo/layers", {"shortname": "x"}, headers=api.headers(ci))
    assert refused.status_code == 403
    anonymous = api.delete("/stacks/demo", headers={"Authorization": "Bearer swk_wrong"})
    assert anonymous.status_code == 401
    outcomes = [(r["action"], r["user"], r["status"]) for r in _audit(api)[1:]]
    assert outcomes == [
        ("PATCH /stacks/{stack}/layers/{layer}", "admin", 404),
        ("POST /stacks/{stack}/layers", "admin", 422),
        ("POST /stacks/{stack}/layers", "ci", 403),
        ("DELETE /stacks/{stack}", None, 401),
    ]
    assert ci.encode() not in _raw_audit_bytes(api)  # the token creation's answer is not kept


def test_reads_and_agent_calls_are_not_recorded_but_a_host_registration_is(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    agent = bring_online(api, "app1")
    agent.heartbeat()
    api.get("/stacks/demo")
    token = api.post("/stacks/demo/registration-tokens", {}).json()["token"]
    registered = api.post(
        "/agent/register",
        {"layers": ["app"], "hostname": "box1", "private_ip": "10.9.0.1"},
        headers=api.headers(token),
    )
    assert registered.status_code == 201
    actions = [r["action"] for r in _audit(api)]
    assert not [a for a in actions if a.startswith("GET") or "heartbeat" in a or "commands" in a]
    assert actions[-1] == "POST /agent/register"
    raw = _raw_audit_bytes(api)
    assert token.encode() not in raw
    assert registered.json()["credential"].encode() not in raw


def test_the_server_wide_log_is_for_admins_and_filters_by_time_and_count(api: Api) -> None:
    make_stack(api)
    make_stack(api, "other")
    api.post("/tokens", {"name": "ci", "role": "deploy"})
    everything = api.get("/audit").json()
    assert [(r["action"], r["stack"]) for r in everything] == [
        ("POST /stacks", "demo"),
        ("POST /stacks", "other"),
        ("POST /tokens", None),
    ]
    assert [r["stack"] for r in api.get("/audit", params={"limit": 1}).json()] == [None]
    later = (utcnow() + timedelta(minutes=1)).isoformat()
    assert api.get("/audit", params={"since": later}).json() == []
    assert [r["stack"] for r in _audit(api, "other")] == ["other"]
    ci = api.post("/tokens", {"name": "ci2", "role": "deploy"}).json()["token"]
    assert api.get("/audit", headers=api.headers(ci)).status_code == 403
