"""Logging in and out of the console: the session cookie, its flags, wrong passwords, CSRF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stackworks.api.access import SESSION_COOKIE
from support.api_harness import Api, serve_api

from .conftest import PASSWORD, Browser, csrf_of, give_password, log_in


def login_form_token(client: TestClient) -> str:
    found = re.search(r'name="login_csrf" value="([^"]+)"', client.get("/login").text)
    assert found is not None
    return found.group(1)


def set_cookie_of(answer: object, name: str) -> str:
    headers = answer.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    return next(h for h in headers if h.startswith(f"{name}="))


def test_a_page_without_a_session_sends_the_browser_to_the_login_form(api: Api) -> None:
    answer = api.client.get("/stacks/demo", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/stacks/demo"


def test_login_sets_an_httponly_samesite_strict_cookie_that_is_not_secure_over_http(
    api: Api,
) -> None:
    give_password(api, "admin")
    client = TestClient(api.client.app)
    token = login_form_token(client)
    answer = client.post(
        "/login",
        data={"name": "admin", "password": PASSWORD, "login_csrf": token, "next": "/stacks"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/stacks"
    cookie = set_cookie_of(answer, SESSION_COOKIE).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert "secure" not in cookie
    assert "admin" in client.get("/").text


def test_over_https_the_session_cookie_is_secure(api: Api) -> None:
    give_password(api, "admin")
    client = TestClient(api.client.app, base_url="https://testserver")
    answer = client.post(
        "/login",
        data={"name": "admin", "password": PASSWORD, "login_csrf": login_form_token(client)},
        follow_redirects=False,
    )
    assert "; secure" in set_cookie_of(answer, SESSION_COOKIE).lower()


def test_a_wrong_password_and_an_unknown_name_get_the_same_clear_message_and_a_401(
    api: Api,
) -> None:
    give_password(api, "admin")
    client = TestClient(api.client.app)
    answers = [
        client.post(
            "/login",
            data={
                "name": name,
                "password": "not the password",
                "login_csrf": login_form_token(client),
            },
            follow_redirects=False,
        )
        for name in ("admin", "nobody")
    ]
    for answer in answers:
        assert answer.status_code == 401
        assert "Wrong user name or password." in answer.text
        assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")
    alerts = [re.findall(r'role="alert"[^>]*>([^<]*)<', answer.text) for answer in answers]
    assert alerts[0] == alerts[1] == ["Wrong user name or password."]


def test_a_login_without_the_login_forms_token_is_refused(api: Api) -> None:
    give_password(api, "admin")
    answer = api.client.post(
        "/login", data={"name": "admin", "password": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 400
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")


def test_repeated_wrong_passwords_are_throttled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STACKWORKS_AUTH_FAILURES", "3")
    with serve_api(f"sqlite:///{tmp_path / 'throttled.db'}", tmp_path) as api:
        give_password(api, "admin")
        client = TestClient(api.client.app)
        statuses = []
        for _ in range(3):
            form = {
                "name": "admin",
                "password": "guess guess",
                "login_csrf": login_form_token(client),
            }
            statuses.append(client.post("/login", data=form).status_code)
        assert statuses == [401, 401, 401]
        throttled = client.post("/login", data={**form, "password": PASSWORD})
        assert throttled.status_code == 429 and "Retry-After" in throttled.headers


def test_logout_needs_the_csrf_token_then_revokes_the_session_token(
    browser: Browser, api: Api
) -> None:
    client = browser("admin")
    session = client.cookies[SESSION_COOKIE]
    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    csrf = csrf_of(client)
    answer = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    # the token is gone from the store: as a cookie and as an API token alike
    again = TestClient(api.client.app)
    again.cookies.set(SESSION_COOKIE, session)
    assert again.get("/", follow_redirects=False).status_code == 401
    assert api.get("/me", headers=api.headers(session)).status_code == 401


def test_a_csrf_token_of_another_session_is_refused(browser: Browser, demo: Api) -> None:
    admin = browser("admin")
    other = log_in(TestClient(demo.client.app), "admin")
    answer = admin.post(
        "/stacks/demo/delete",
        data={"csrf_token": csrf_of(other), "confirm": "demo"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    assert demo.get("/stacks/demo").status_code == 200


def test_an_ended_session_gets_the_login_form_back_to_the_page_it_asked_for(
    browser: Browser, demo: Api
) -> None:
    client = browser("admin")
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, "swk_ended")
    page = client.get("/stacks/demo", follow_redirects=False)
    assert page.status_code == 401 and "Your session has ended" in page.text
    assert 'name="next" value="/stacks/demo"' in page.text
    assert SESSION_COOKIE in page.headers["set-cookie"]  # cleared
    change = client.post("/stacks/demo/delete", data={"confirm": "demo"}, follow_redirects=False)
    assert change.status_code == 401 and 'name="next" value="/"' in change.text
    assert demo.get("/stacks/demo").status_code == 200
