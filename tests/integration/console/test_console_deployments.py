"""Deploying from the console: the form makes the deployment the API would, its page follows
each instance's command and log live, a deploy rolls back in one click, the history says who
ran what and for how long."""

from __future__ import annotations

import html
import re
import threading
import time
from typing import Any

from support.api_harness import Api, make_instance

from ..api.test_lifecycle import FakeAgent, bring_online
from .conftest import Browser, csrf_of
from .test_console_live import events, live_url


def online_app(demo: Api) -> FakeAgent:
    """web1 online in layer web, with app `shop` on it (its setup run by the test's agent)."""
    make_instance(demo, "demo", ["web"], "web1")
    shop = {"shortname": "shop", "source": {"url": "file:///r"}, "layers": ["web"]}
    assert demo.post("/stacks/demo/apps", shop).status_code == 201
    agent = bring_online(demo, "web1")
    agent.drain()
    return agent


def deploy(browser: Any, **fields: str) -> Any:
    csrf = csrf_of(browser, "/stacks/demo/deploy")
    return browser.post(
        "/stacks/demo/deployments", data={"csrf_token": csrf, **fields}, follow_redirects=False
    )


def test_the_deploy_form_creates_the_deployment_and_opens_its_page(
    browser: Browser, demo: Api
) -> None:
    online_app(demo)
    deployer = browser("deployer", "deploy")
    form = deployer.get("/stacks/demo/deploy").text
    for testid in ("deploy-form", "deploy-command", "deploy-app", "deploy-instance-web1"):
        assert f'data-testid="{testid}"' in form
    answer = deploy(
        deployer, command="deploy", app="shop", instances="web1", comment="first release"
    )
    assert answer.status_code == 303, answer.text
    (made,) = demo.get("/stacks/demo/deployments").json()
    assert answer.headers["location"] == f"/stacks/demo/deployments/{made['id']}"
    assert (made["command"]["name"], made["app"], made["instances"]) == ("deploy", "shop", ["web1"])
    assert (made["created_by"], made["comment"]) == ("deployer", "first release")
    page = deployer.get(answer.headers["location"]).text
    assert 'data-testid="command-web1"' in page and 'data-testid="rollback-button"' in page


def test_a_bad_deployment_shows_the_form_again_with_the_reason(browser: Browser, demo: Api) -> None:
    online_app(demo)
    admin = browser("admin")
    answer = deploy(admin, command="deploy", app="shop", custom_json="[1,")
    assert answer.status_code == 422
    assert "custom_json: not valid JSON at line 1" in html.unescape(answer.text)
    both = deploy(admin, command="configure", instances="web1", layers="web")
    assert both.status_code == 422 and "instances or layers, not both" in both.text
    assert demo.get("/stacks/demo/deployments").json() == []


def test_the_deployment_page_follows_the_command_and_its_log_live(
    browser: Browser, demo: Api
) -> None:
    agent = online_app(demo)
    admin = browser("admin")
    location = deploy(admin, command="deploy", app="shop").headers["location"]
    url = live_url(admin.get(location).text)
    answers: list[Any] = []
    stream = threading.Thread(target=lambda: answers.append(admin.get(url)))
    stream.start()
    time.sleep(0.4)
    command = agent.next()
    assert command is not None and command["type"] == "deploy"
    agent.run(command)  # logs "ran deploy", then succeeds
    stream.join(timeout=30)
    assert not stream.is_alive()
    received = events(answers[0].text)
    appended = "".join(d["text"] for kind, d in received if kind == "append")
    swaps = {d["key"]: d["html"] for kind, d in received if kind == "swap"}
    command_swap = swaps.get(f"command:{command['id']}", "")
    assert "ran deploy" in appended or "ran deploy" in command_swap
    assert 'data-testid="command-status-web1">successful<' in command_swap
    assert ">successful<" in swaps["deployment-status"]
    assert re.search(r">(\d+m )?\d+s<", swaps["deployment-duration"])
    assert received[-1][0] == "done"


def test_rollback_is_one_click_on_the_same_instances(browser: Browser, demo: Api) -> None:
    agent = online_app(demo)
    make_instance(demo, "demo", ["web"], "web2")  # stopped: not a target of the deploy
    admin = browser("admin")
    location = deploy(admin, command="deploy", app="shop").headers["location"]
    agent.drain()
    page = admin.get(location).text
    csrf = csrf_of(admin, location)
    assert 'data-testid="rollback-form"' in page
    answer = admin.post(f"{location}/rollback", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    rollback = demo.get("/stacks/demo/deployments").json()[0]
    assert answer.headers["location"].endswith(rollback["id"])
    assert (rollback["command"]["name"], rollback["app"]) == ("rollback", "shop")
    assert rollback["instances"] == ["web1"] and rollback["created_by"] == "admin"
    assert rollback["comment"].startswith("rollback of deployment")


def test_the_history_says_who_ran_each_deployment_and_how_long_it_took(
    browser: Browser, demo: Api
) -> None:
    agent = online_app(demo)
    admin = browser("admin")
    deploy(admin, command="deploy", app="shop")
    agent.drain()
    (made,) = demo.get("/stacks/demo/deployments").json()
    page = admin.get("/stacks/demo/deployments").text
    assert f'data-testid="deployment-row-{made["id"]}"' in page
    assert re.search(rf'data-testid="deployment-by-{made["id"]}">admin<', page)
    duration = re.search(rf'data-testid="deployment-duration-{made["id"]}">([^<]+)<', page)
    assert duration is not None and re.fullmatch(r"(\d+m )?\d+s", duration.group(1))
    assert f'data-testid="deployment-status-{made["id"]}">successful<' in page
