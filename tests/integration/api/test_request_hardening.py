"""Requests refused whole by the real app, each with a clear error and nothing changed: a 20 MB
body, JSON nested 10,000 deep, a git source with `ext::` or an option, too many bad tokens."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from stackworks.api.app import create_app
from stackworks.api.limits import RequestLimits
from stackworks.control.settings import Settings
from stackworks.providers.fake import FakeProvider
from stackworks.store.db import Database
from support.api_harness import Api, make_layer, make_server_admin, make_stack

AUTH_WINDOW = 2.0  # seconds: short, so the test sees the window slide


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    url = f"sqlite:///{tmp_path / 'stackworks.db'}"
    db = Database(url)
    db.upgrade()
    token = make_server_admin(db)
    settings = Settings(data_dir=tmp_path, server_url="http://127.0.0.1:1", database_url=url)
    provider = FakeProvider()
    limits = RequestLimits(
        max_body_bytes=10 * 1024 * 1024,
        max_json_depth=64,
        auth_failures=5,
        auth_window=AUTH_WINDOW,
    )
    app = create_app(db, settings, {"local": provider}, run_orchestrator=False, limits=limits)
    with TestClient(app) as client:
        yield Api(client, token, provider, app.state.orchestrator, db)
    db.dispose()


def stacks(api: Api) -> list[str]:
    return [s["name"] for s in api.get("/stacks").json()]


def post_raw(api: Api, body: str | bytes) -> Any:
    """POST /stacks with `body` as it is, declared as JSON."""
    headers = {**api.headers(), "Content-Type": "application/json"}
    return api.client.post("/api/v1/stacks", content=body, headers=headers)


def test_a_20_mb_body_is_refused_with_413_and_nothing_is_created(api: Api) -> None:
    body = json.dumps({"name": "big", "custom_json": {"blob": "x" * (20 * 1024 * 1024)}})
    answer = post_raw(api, body)
    assert answer.status_code == 413
    assert "larger than the server's limit" in answer.json()["detail"]["message"]
    assert stacks(api) == []


def test_json_nested_10000_deep_is_refused_with_422_and_nothing_is_created(api: Api) -> None:
    body = '{"name": "deep", "custom_json": {"a": ' + "[" * 10_000 + "]" * 10_000 + "}}"
    answer = post_raw(api, body)
    assert answer.status_code == 422
    assert answer.json()["detail"]["message"] == (
        "the JSON body nests arrays and objects deeper than 64 levels"
    )
    assert stacks(api) == []


@pytest.mark.parametrize(
    ("source", "field"),
    [
        ({"url": "ext::sh -c touch% /tmp/stackworks-pwned"}, "source.url"),
        ({"url": "--upload-pack=touch /tmp/stackworks-pwned"}, "source.url"),
        (
            {"url": "https://example.invalid/a.git", "revision": "--output=/tmp/x"},
            "source.revision",
        ),
    ],
)
def test_an_app_with_an_unsafe_git_source_is_refused_naming_the_field(
    api: Api, source: dict[str, str], field: str
) -> None:
    make_stack(api, "shop")
    make_layer(api, "shop", "app", "python-app")
    answer = api.post("/stacks/shop/apps", {"shortname": "web", "source": source})
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert detail["field"] == field
    assert field in detail["message"]
    assert api.get("/stacks/shop/apps").json() == []


def test_a_stack_with_an_ext_cookbook_source_is_refused_naming_the_field(api: Api) -> None:
    answer = api.post(
        "/stacks",
        {"name": "shop", "cookbook_sources": [{"type": "git", "url": "ext::sh -c id"}]},
    )
    assert answer.status_code == 422
    assert answer.json()["detail"]["field"] == "cookbook_sources.0.url"
    assert "ext:: remote helper" in answer.json()["detail"]["message"]
    assert stacks(api) == []


def test_after_five_bad_tokens_even_a_good_one_gets_429_until_the_window_slides(
    api: Api,
) -> None:
    for _ in range(5):
        assert api.get("/stacks", headers=api.headers("swt-wrong")).status_code == 401
    refused = api.post("/stacks", {"name": "late"})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "too many failed authentications" in refused.json()["detail"]["message"]
    time.sleep(AUTH_WINDOW + 0.1)  # every failure has left the window
    assert stacks(api) == []  # and the refused request created nothing


def test_a_body_that_is_not_utf8_gets_400_in_the_one_error_shape(api: Api) -> None:
    answer = post_raw(api, b"\xff\xfe{")
    assert answer.status_code == 400
    assert answer.json() == {
        "detail": {"message": "There was an error parsing the body", "field": None}
    }
    assert stacks(api) == []
