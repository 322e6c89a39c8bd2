"""Users through the API: profiles, tokens (named, revocable, expiring, last used), passwords
and the console's login; every failure to authenticate is a 401."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI, Request, Response
from sqlalchemy import update

from stackworks.domain.access import Principal
from stackworks.store.tables import TokenRow
from support.api_harness import Api, make_user, serve_api

ED25519 = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGR1c3R5LXRlc3Qta2V5LW9mLTMyLWJ5dGVzLi4uLg== ann@laptop"
)


def test_a_server_admin_creates_a_user_with_an_ssh_profile_and_reads_it_back(api: Api) -> None:
    made = api.post(
        "/users", {"name": "ann", "ssh_username": "ann", "ssh_public_key": "  " + ED25519 + "\n"}
    )
    assert made.status_code == 201, made.text
    shown = api.get("/users/ann").json()
    assert shown["ssh_public_key"] == ED25519
    assert (shown["admin"], shown["default_level"], shown["has_password"]) == (False, "deny", False)
    assert [u["name"] for u in api.get("/users").json()] == ["admin", "ann"]


def test_a_bad_ssh_key_or_username_is_refused_naming_the_field_and_nothing_is_made(
    api: Api,
) -> None:
    for body, field in (
        ({"ssh_username": "ann", "ssh_public_key": "ssh-ed25519 bm90IGEga2V5"}, "ssh_public_key"),
        ({"ssh_username": "ann", "ssh_public_key": "-----BEGIN OPENSSH PRIVATE KEY-----"}, None),
        ({"ssh_username": "Root!", "ssh_public_key": ED25519}, "ssh_username"),
        ({"ssh_username": "root", "ssh_public_key": ED25519}, "ssh_username"),
        ({"ssh_username": "ann"}, "ssh_public_key"),
    ):
        refused = api.post("/users", {"name": "ann", **body})
        assert refused.status_code == 422, body
        assert refused.json()["detail"]["field"] == (field or "ssh_public_key")
    assert api.get("/users/ann").status_code == 404


def test_two_users_cannot_share_an_ssh_login(api: Api) -> None:
    make_user(api, "ann", ssh_username="ann", ssh_public_key=ED25519)
    clash = api.post("/users", {"name": "bob", "ssh_username": "ann", "ssh_public_key": ED25519})
    assert clash.status_code == 409
    assert clash.json()["detail"]["field"] == "ssh_username"


def test_tokens_are_named_listed_without_their_value_and_revocable(api: Api) -> None:
    api.post("/users", {"name": "ci"})
    first = api.post("/users/ci/tokens", {"name": "jenkins"}).json()
    second = api.post("/users/ci/tokens", {}).json()
    assert second["name"] == "token-2" and first["token"].startswith("swk_")
    assert api.post("/users/ci/tokens", {"name": "jenkins"}).status_code == 409
    listed = api.get("/users/ci/tokens")
    assert [t["name"] for t in listed.json()] == ["jenkins", "token-2"]
    assert first["token"] not in listed.text and "hash" not in listed.text
    assert api.get("/me", headers=api.headers(first["token"])).json()["name"] == "ci"
    assert api.delete("/users/ci/tokens/jenkins").status_code == 204
    refused = api.get("/me", headers=api.headers(first["token"]))
    assert refused.status_code == 401
    assert api.get("/me", headers=api.headers(second["token"])).status_code == 200


def test_an_expired_token_is_refused_with_a_401_that_says_so(api: Api) -> None:
    api.post("/users", {"name": "ci"})
    made = api.post("/users/ci/tokens", {"name": "short", "expires_in": 60}).json()
    expires = datetime.fromisoformat(made["expires_at"])
    assert timedelta(seconds=50) < expires - datetime.now(UTC) <= timedelta(seconds=60)
    assert api.get("/me", headers=api.headers(made["token"])).status_code == 200
    with api.db.transaction() as session:
        session.execute(
            update(TokenRow)
            .where(TokenRow.name == "short")
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    refused = api.get("/me", headers=api.headers(made["token"]))
    assert refused.status_code == 401
    assert refused.json()["detail"]["message"] == "API token expired"
    assert api.post("/users/ci/tokens", {"expires_in": 5}).status_code == 422


def test_last_used_is_written_on_first_use_and_then_at_most_once_a_minute(api: Api) -> None:
    token = make_user(api, "ci")
    assert api.get("/users/ci/tokens").json()[0]["last_used_at"] is None
    api.get("/me", headers=api.headers(token))
    first = api.get("/users/ci/tokens").json()[0]["last_used_at"]
    assert first is not None
    api.get("/me", headers=api.headers(token))
    assert api.get("/users/ci/tokens").json()[0]["last_used_at"] == first
    with api.db.transaction() as session:
        session.execute(
            update(TokenRow)
            .where(TokenRow.name == "test")
            .values(last_used_at=datetime.now(UTC) - timedelta(minutes=2))
        )
    api.get("/me", headers=api.headers(token))
    later = api.get("/users/ci/tokens").json()[0]["last_used_at"]
    assert datetime.fromisoformat(later) > datetime.fromisoformat(first)


def test_a_user_manages_their_own_tokens_through_me(api: Api) -> None:
    token = make_user(api, "ann")
    mine = api.headers(token)
    extra = api.post("/me/tokens", {"name": "laptop", "expires_in": 3600}, headers=mine)
    assert extra.status_code == 201 and extra.json()["user"] == "ann"
    assert [t["name"] for t in api.get("/me/tokens", headers=mine).json()] == ["laptop", "test"]
    assert api.delete("/me/tokens/laptop", headers=mine).status_code == 204
    assert api.get("/me", headers=api.headers(extra.json()["token"])).status_code == 401


def test_login_with_the_console_password_gives_an_expiring_token(api: Api) -> None:
    api.post("/users", {"name": "ann"})
    assert api.put("/users/ann/password", {"password": "short"}).status_code == 422
    assert api.put("/users/ann/password", {"password": "correct horse"}).status_code == 204
    assert "correct horse" not in api.get("/users/ann").text
    assert api.get("/users/ann").json()["has_password"] is True
    logged = api.client.post("/api/v1/login", json={"name": "ann", "password": "correct horse"})
    assert logged.status_code == 200, logged.text
    body = logged.json()
    lifetime = datetime.fromisoformat(body["expires_at"]) - datetime.now(UTC)
    assert timedelta(hours=11) < lifetime <= timedelta(hours=12)
    assert api.get("/me", headers=api.headers(body["token"])).json()["name"] == "ann"
    kinds = {t["name"].split("-")[0]: t["kind"] for t in api.get("/users/ann/tokens").json()}
    assert kinds == {"login": "login"}


def test_a_wrong_password_and_an_unknown_name_get_the_same_401(api: Api) -> None:
    api.post("/users", {"name": "ann"})
    api.put("/users/ann/password", {"password": "correct horse"})
    wrong = api.client.post("/api/v1/login", json={"name": "ann", "password": "wrong horse"})
    unknown = api.client.post("/api/v1/login", json={"name": "zed", "password": "wrong horse"})
    no_password = api.client.post("/api/v1/login", json={"name": "admin", "password": "x" * 9})
    assert [a.status_code for a in (wrong, unknown, no_password)] == [401, 401, 401]
    assert wrong.json() == unknown.json() == no_password.json()


def test_changing_ones_own_password_needs_the_current_one(api: Api) -> None:
    mine = api.headers(make_user(api, "ann"))
    assert api.put("/me/password", {"password": "first pass"}, headers=mine).status_code == 204
    again = api.put("/me/password", {"password": "second pass"}, headers=mine)
    assert again.status_code == 401
    wrong = {"password": "second pass", "current_password": "nope nope"}
    assert api.put("/me/password", wrong, headers=mine).status_code == 401
    right = {"password": "second pass", "current_password": "first pass"}
    assert api.put("/me/password", right, headers=mine).status_code == 204
    login = {"name": "ann", "password": "second pass"}
    assert api.client.post("/api/v1/login", json=login).status_code == 200


def test_whoami_shows_the_callers_permissions(api: Api) -> None:
    api.post("/stacks", {"name": "shop"})
    token = make_user(api, "ann", levels={"shop": "deploy"})
    me = api.get("/me", headers=api.headers(token)).json()
    assert me["permissions"] == [
        {"stack": "shop", "user": "ann", "level": "deploy", "allow_ssh": False, "allow_sudo": False}
    ]


def test_the_callers_principal_is_on_request_state_for_middleware_after_auth(
    tmp_path: Path,
) -> None:
    seen: list[object] = []

    def add_recorder(app: FastAPI) -> None:
        @app.middleware("http")
        async def record(
            request: Request, call_next: Callable[[Request], Awaitable[Response]]
        ) -> Response:
            response = await call_next(request)
            seen.append(getattr(request.state, "principal", None))
            return response

    with serve_api(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path, add_recorder) as api:
        token = make_user(api, "ann")
        api.get("/me", headers=api.headers(token))
        api.get("/me", headers=api.headers("swk_wrong"))
    ann, nobody = seen[-2:]
    assert isinstance(ann, Principal) and (ann.name, ann.is_admin) == ("ann", False)
    assert nobody is None


def test_an_admin_cannot_delete_themselves_and_a_deleted_users_tokens_stop(api: Api) -> None:
    token = make_user(api, "ann")
    assert api.delete("/users/admin").status_code == 409
    assert api.delete("/users/ann").status_code == 204
    assert api.get("/me", headers=api.headers(token)).status_code == 401


def test_an_admin_cannot_take_away_their_own_admin_flag_but_can_another_admins(api: Api) -> None:
    api.post("/users", {"name": "root2", "admin": True})
    refused = api.patch("/users/admin", {"admin": False})
    assert refused.status_code == 409 and refused.json()["detail"]["field"] == "admin"
    assert api.patch("/users/root2", {"admin": False}).json()["admin"] is False
