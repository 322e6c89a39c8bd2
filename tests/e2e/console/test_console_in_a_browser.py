"""The console in a real browser against a real `stackworks server` with local instances.

One stack for the whole module, built step by step as a user would: log in, create the stack,
give it an lb and an app layer, add and start an instance in each, deploy the sample app,
watch the instances come online and the deployment's log arrive live, stop an instance and see
its status change without a reload, roll back with one click, look at the monitoring charts,
and see a show-level user's console without any edit control. The tests run in file order
and each builds on the one before.

Every page visited is checked with axe-core (no serious or critical violation) and
photographed into build/test-artifacts/console/ (the paths are printed).

"Without a reload" is checked with a marker set on `window` once the page has loaded: a
navigation would drop it. The layers and the app are made with the stack page's "Add layer" and
"Add app" forms, one refusal on the way (the form comes back naming the field, a secure value
not in it), and deleting a layer that still has an instance shows the control plane's refusal.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from support.browser import assert_accessible, chromium_context, screenshot
from support.cluster import ServerProcess
from support.processes import wait_until
from support.web import commit_greeting, get, sample_repository

if TYPE_CHECKING:
    from playwright.sync_api import Page

#: starting instances and deploying on 2 busy cores can take minutes per step
pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.timeout(480)]

STACK = "shop"
LB_PORT = 8080
APP_PORT = 8001  # the one web copy of the app: base_port + 1
ADMIN_PASSWORD = "admin-password-e2e"
VIEWER_PASSWORD = "viewer-password-e2e"
SECRET = "e2e-secure-value"  # a secure environment value: never in a page
CUSTOM_JSON = (
    '{"haproxy": {"port": 8080, "check_interval": 500, "rise": 1, "fall": 2},\n'
    ' "python_app": {"instance_count": 1, "base_port": 8000}}'
)
#: seconds: instances start, set up and deploy on 2 shared cores
SLOW = 240_000
LIVE = 60_000


@dataclass
class Console:
    """The server, the browser page and what the steps learned on the way."""

    server: ServerProcess
    page: Page
    repo: Path
    found: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def visit(self, path: str) -> None:
        self.page.goto(f"{self.url}{path}")

    def check(self, name: str) -> None:
        """axe-core on the page as it is, then its screenshot."""
        assert_accessible(self.page, name)
        screenshot(self.page, name)

    def mark(self) -> None:
        """Mark the loaded page: a reload or a navigation drops the mark."""
        self.page.evaluate("() => { window.__stillThisPage = true; }")

    def still_marked(self) -> bool:
        return bool(self.page.evaluate("() => window.__stillThisPage === true"))

    def submit(self, testid: str) -> None:
        """Click what submits a form (or follows a link) and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.get_by_test_id(testid).click()

    def log_in(self, name: str, password: str) -> None:
        self.visit("/login")
        self.page.get_by_test_id("login-name").fill(name)
        self.page.get_by_test_id("login-password").fill(password)
        self.submit("login-submit")
        assert self.page.url == f"{self.url}/", self.page.url


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    where = tmp_path_factory.mktemp("console")
    server = ServerProcess(where / "d")
    server.start()
    try:
        server.call("PUT", "/users/admin/password", {"password": ADMIN_PASSWORD}, expect=204)
        repo = sample_repository(where / "sample-app")
        with chromium_context() as context:
            page = context.new_page()
            page.set_default_timeout(30_000)
            page.on("dialog", lambda dialog: dialog.accept())  # the one-click confirmations
            yield Console(server, page, repo)
    finally:
        server.close()


def assert_at(console: Console, pattern: str) -> None:
    """The page is at a URL matching `pattern` (`*` matches anything, `/` included)."""
    assert fnmatch.fnmatchcase(console.page.url, pattern), f"at {console.page.url}, not {pattern}"


def status_of(console: Console, hostname: str) -> Any:
    return console.page.get_by_test_id(f"instance-status-{hostname}")


def test_a_user_logs_in_with_name_and_password(console: Console) -> None:
    console.visit("/")
    assert_at(console, f"{console.url}/login*")
    console.check("01-login")
    console.page.get_by_test_id("login-name").fill("admin")
    console.page.get_by_test_id("login-password").fill("not the password")
    console.submit("login-submit")
    assert "Wrong user name or password" in console.page.get_by_test_id("login-error").inner_text()
    console.log_in("admin", ADMIN_PASSWORD)
    assert console.page.get_by_test_id("current-user").inner_text() == "admin"
    console.check("02-stacks-empty")


def add_layer(console: Console, shortname: str, kind: str) -> None:
    page = console.page
    page.get_by_test_id("add-layer-shortname").fill(shortname)
    page.get_by_test_id("add-layer-type").select_option(kind)
    console.submit("add-layer-submit")
    assert_at(console, f"{console.url}/stacks/{STACK}?done=layer-added")
    assert page.get_by_test_id(f"layer-{shortname}").is_visible()


def test_a_stack_created_in_the_console_gets_two_layers_and_an_app(console: Console) -> None:
    page = console.page
    page.get_by_test_id("create-stack-name").fill(STACK)
    page.get_by_test_id("create-stack-json").fill(CUSTOM_JSON)
    console.submit("create-stack-submit")
    assert_at(console, f"{console.url}/stacks/{STACK}")
    assert page.get_by_test_id("no-layers").is_visible()
    console.check("02a-stack-forms")
    add_layer(console, "lb", "lb")
    add_layer(console, "app", "python-app")
    page.get_by_test_id("add-app-shortname").fill("sample")
    page.get_by_test_id("add-app-source-url").fill("-not-a-url")
    page.get_by_test_id("add-app-revision").fill("main")
    page.get_by_test_id("add-app-layer-app").check()
    page.get_by_test_id("add-app-env-0-key").fill("GREETING")
    page.get_by_test_id("add-app-env-0-value").fill("hello")
    page.get_by_test_id("add-app-env-1-key").fill("SECRET_TOKEN")
    page.get_by_test_id("add-app-env-1-value").fill(SECRET)
    page.get_by_test_id("add-app-env-1-secure").check()
    console.submit("add-app-submit")
    assert "source_url" in page.get_by_test_id("add-app-error").inner_text()
    assert page.get_by_test_id("add-app-source-url").get_attribute("aria-invalid") == "true"
    assert page.get_by_test_id("add-app-env-0-value").input_value() == "hello"  # kept
    assert page.get_by_test_id("add-app-env-1-value").input_value() == ""  # typed again
    assert SECRET not in page.content()
    console.check("02b-add-app-refused")
    page.get_by_test_id("add-app-source-url").fill(f"file://{console.repo}")
    page.get_by_test_id("add-app-env-1-value").fill(SECRET)
    console.submit("add-app-submit")
    assert_at(console, f"{console.url}/stacks/{STACK}?done=app-added")
    assert page.get_by_test_id("app-sample").is_visible()
    assert "FILTERED" in page.get_by_test_id("app-env-sample-SECRET_TOKEN").inner_text()
    assert SECRET not in page.content()
    console.check("02c-stack-with-layers-and-app")
    layers = {
        layer["shortname"]: layer
        for layer in console.server.call("GET", f"/stacks/{STACK}/layers", expect=200)
    }
    assert (layers["lb"]["type"], layers["app"]["type"]) == ("lb", "python-app")
    (app,) = console.server.call("GET", f"/stacks/{STACK}/apps", expect=200)
    assert app["layers"] == ["app"] and app["source"]["revision"] == "main"
    stack = console.server.call("GET", f"/stacks/{STACK}", expect=200)
    assert stack["custom_json"]["haproxy"]["port"] == LB_PORT


def add_instance(console: Console, layer: str, hostname: str) -> None:
    page = console.page
    for box in page.locator("[data-testid^=add-instance-layer-]").all():
        box.set_checked(box.get_attribute("value") == layer)
    page.get_by_test_id("add-instance-hostname").fill(hostname)
    console.submit("add-instance-submit")
    assert_at(console, f"{console.url}/stacks/{STACK}")
    assert "stopped" in status_of(console, hostname).inner_text()


def test_instances_added_and_started_come_online_without_a_reload(console: Console) -> None:
    page = console.page
    add_instance(console, "lb", "lb1")
    add_instance(console, "app", "app1")
    console.submit("instance-start-lb1")
    assert_at(console, f"{console.url}/stacks/{STACK}")
    console.submit("instance-start-app1")
    assert_at(console, f"{console.url}/stacks/{STACK}")
    console.mark()
    seen: set[str] = set()

    def both_online() -> bool:
        for host in ("lb1", "app1"):
            seen.add(page.get_by_test_id(f"instance-row-{host}").get_attribute("data-status") or "")
        statuses = [status_of(console, h).inner_text() for h in ("lb1", "app1")]
        if any("failed" in s for s in statuses):
            raise AssertionError(f"{statuses}:\n{console.server.failure_logs(STACK)}")
        return all(s == "online" for s in statuses)

    wait_until(both_online, SLOW / 1000, interval=0.5, what="lb1 and app1 online on the page")
    assert console.still_marked(), "the page reloaded: the statuses did not arrive live"
    assert seen - {"online", "stopped"}, f"no status on the way was shown: {seen}"
    console.check("03-stack-online")
    lb_ip = console.server.instances(STACK)["lb1"]["private_ip"]
    console.found["lb_url"] = f"http://{lb_ip}:{LB_PORT}/"
    wait_until(
        lambda: get(console.found["lb_url"])[0] == 200, 60, interval=0.5, what="HAProxy's app"
    )
    console.submit("layer-delete-app")  # confirmed by the dialog handler
    assert "still has instances: app1" in page.get_by_test_id("delete-layer-error").inner_text()
    assert page.get_by_test_id("layer-app").is_visible()
    console.check("03b-delete-layer-refused")


def test_a_deployment_from_the_console_streams_each_instance_log_live(console: Console) -> None:
    page = console.page
    commit_greeting(console.repo, "Howdy")  # a new commit: the deploy makes a second release
    console.visit(f"/stacks/{STACK}/deploy")
    console.check("04-deploy-form")
    page.get_by_test_id("deploy-command").select_option("deploy")
    page.get_by_test_id("deploy-app").select_option("sample")
    page.get_by_test_id("deploy-layer-app").check()  # the app's layer: its rollback is app1's
    page.get_by_test_id("deploy-comment").fill("from the browser test")
    console.submit("deploy-submit")
    assert_at(console, f"{console.url}/stacks/{STACK}/deployments/*")
    console.found["deployment"] = page.url
    console.mark()
    log = page.get_by_test_id("command-log-app1")
    status = page.get_by_test_id("deployment-status")
    wait_until(
        lambda: status.inner_text() != "running", SLOW / 1000, interval=0.5, what="the deploy"
    )
    assert status.inner_text() == "successful", console.server.failure_logs(STACK)
    assert console.still_marked(), "the page reloaded: the log did not arrive live"
    assert "sample" in log.inner_text() and log.inner_text().count("\n") > 2
    assert page.get_by_test_id("deployment-comment").inner_text() == "from the browser test"
    assert page.get_by_test_id("deployment-by").inner_text() == "admin"
    console.check("05-deployment-done")
    answer = get(console.found["lb_url"])
    assert answer[0] == 200 and "Howdy from app1" in answer[1], answer


def test_stopping_an_instance_changes_its_status_on_the_page_without_a_reload(
    console: Console,
) -> None:
    console.visit(f"/stacks/{STACK}")
    console.submit("instance-stop-lb1")
    assert_at(console, f"{console.url}/stacks/{STACK}")
    console.mark()
    wait_until(
        lambda: status_of(console, "lb1").inner_text() == "stopped",
        LIVE / 1000,
        interval=0.3,
        what="lb1 stopped on the page",
    )
    assert console.still_marked(), "the page reloaded: the status did not arrive live"
    assert status_of(console, "app1").inner_text() == "online"
    console.check("06-stack-lb-stopped")


def test_one_click_rolls_the_app_back(console: Console) -> None:
    page = console.page
    page.goto(console.found["deployment"])
    console.submit("rollback-button")  # confirmed by the dialog handler
    assert_at(console, f"{console.url}/stacks/{STACK}/deployments/*")
    assert page.url != console.found["deployment"]
    status = page.get_by_test_id("deployment-status")
    wait_until(
        lambda: status.inner_text() != "running", SLOW / 1000, interval=0.5, what="the rollback"
    )
    assert status.inner_text() == "successful", console.server.failure_logs(STACK)
    assert page.locator("h1").inner_text().startswith("rollback")
    console.check("07-rollback-done")
    app1 = console.server.instances(STACK)["app1"]["private_ip"]
    answer = get(f"http://{app1}:{APP_PORT}/")  # lb1 is stopped: ask the app itself
    assert answer[0] == 200 and "Hello from app1" in answer[1], answer
    console.visit(f"/stacks/{STACK}/deployments")
    history = page.get_by_test_id("deployment-table").inner_text()
    assert "rollback" in history and "from the browser test" in history and "admin" in history
    console.check("08-deployment-history")


def test_the_monitoring_page_charts_the_heartbeats_of_each_layer_and_instance(
    console: Console,
) -> None:
    page = console.page
    console.visit(f"/stacks/{STACK}/monitoring")
    cpu = page.get_by_test_id("chart-layer-app-cpu")
    assert cpu.locator("svg[role=img] path").count() == 1
    assert "points; latest" in cpu.locator("figcaption").inner_text()
    console.check("09-monitoring-stack")
    console.submit("monitoring-instance-link-app1")
    assert_at(console, f"{console.url}/stacks/{STACK}/monitoring/app1*")
    assert page.get_by_test_id("chart-instance-app1-load").locator("path").count() >= 1
    console.submit("period-day")
    assert_at(console, "*period=day")
    console.check("10-monitoring-instance-day")


def test_a_show_user_sees_the_console_without_edit_controls(console: Console) -> None:
    server, page = console.server, console.page
    server.call("POST", "/users", {"name": "viewer"}, expect=201)
    server.call("PUT", "/users/viewer/password", {"password": VIEWER_PASSWORD}, expect=204)
    server.call("PUT", f"/stacks/{STACK}/permissions/viewer", {"level": "show"}, expect=200)
    console.submit("logout-button")
    assert_at(console, f"{console.url}/login*")
    console.log_in("viewer", VIEWER_PASSWORD)
    assert page.get_by_test_id("create-stack-form").count() == 0
    assert page.get_by_test_id(f"stack-delete-{STACK}").count() == 0
    console.check("11-stacks-as-viewer")
    console.submit(f"stack-link-{STACK}")
    assert_at(console, f"{console.url}/stacks/{STACK}")
    assert page.get_by_test_id("your-level").inner_text().endswith("show")
    assert page.get_by_test_id("instance-row-app1").is_visible()
    controls = ("add-instance-form", "add-layer-form", "add-app-form", "deploy-link")
    for control in (*controls, "nav-stack-deploy"):
        assert page.get_by_test_id(control).count() == 0, control
    assert page.locator("[data-testid^=instance-actions-]").count() == 0
    assert page.get_by_test_id("instance-monitoring-app1").is_visible()  # charts: show level
    assert page.locator("main form, main button").count() == 0
    console.check("12-stack-as-viewer")
    refused = page.goto(f"{console.url}/stacks/{STACK}/deploy")
    assert refused is not None and refused.status == 403
    page.goto(console.found["deployment"])
    assert page.get_by_test_id("rollback-form").count() == 0
    assert page.get_by_test_id("nav-stack-monitoring").is_visible()
