"""The console in-process over SQLite, with users who have passwords, and a logged-in browser
(a TestClient keeping its cookies) for each."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stackworks.console.live import LiveSettings
from support.api_harness import Api, make_layer, make_stack, make_user, serve_api

PASSWORD = "correct horse battery"
#: the CSRF token every console page carries in <meta name="csrf-token">
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]*)">')

Browser = Callable[..., TestClient]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    with serve_api(f"sqlite:///{tmp_path / 'stackworks.db'}", tmp_path) as served:
        served.client.app.state.console_live = LiveSettings(interval=0.05, lifetime=1.5)  # type: ignore[attr-defined]
        yield served


def give_password(api: Api, name: str, password: str = PASSWORD) -> None:
    answer = api.put(f"/users/{name}/password", {"password": password})
    assert answer.status_code == 204, answer.text


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    """Log `client` in through the login form, as a browser would."""
    form = client.get("/login")
    assert form.status_code == 200, form.text
    login_csrf = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
    assert login_csrf is not None
    answer = client.post(
        "/login",
        data={"name": name, "password": password, "login_csrf": login_csrf.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return client


def csrf_of(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    found = CSRF_META.search(page.text)
    assert found is not None and found.group(1), page.text[:500]
    return found.group(1)


@pytest.fixture
def browser(api: Api) -> Iterator[Browser]:
    """`browser(name, level=None)`: a new client logged in as `name` (created with `level` on
    the stack `demo` unless `name` is admin)."""
    made: list[TestClient] = []

    def open_as(
        name: str, level: str | None = None, *, base_url: str = "http://testserver"
    ) -> TestClient:
        if name != "admin" and level is not None:
            make_user(api, name, levels={"demo": level})
        give_password(api, name)
        client = TestClient(api.client.app, base_url=base_url)
        made.append(client)
        return log_in(client, name)

    yield open_as
    for client in made:
        client.close()


@pytest.fixture
def demo(api: Api) -> Api:
    """A stack `demo` with a layer `web`."""
    make_stack(api, "demo")
    make_layer(api, "demo", "web")
    return api
