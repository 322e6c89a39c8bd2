"""The console shows each user only the controls their level allows, and the server refuses
the rest anyway (the same declarations as the API)."""

from __future__ import annotations

from support.api_harness import Api, make_instance

from .conftest import Browser, csrf_of

EDIT_CONTROLS = ("instance-start-web1", "add-instance-form", "instance-delete-web1")


def test_a_show_user_gets_a_read_only_stack_page_and_is_refused_changes(
    browser: Browser, demo: Api
) -> None:
    make_instance(demo, "demo", ["web"], "web1")
    show = browser("viewer", "show")
    page = show.get("/stacks/demo")
    assert page.status_code == 200
    assert 'data-testid="instance-row-web1"' in page.text
    for control in (*EDIT_CONTROLS, "deploy-link", "nav-stack-deploy"):
        assert f'data-testid="{control}"' not in page.text, control
    csrf = csrf_of(show, "/stacks/demo")
    started = show.post(
        "/stacks/demo/instances/web1/start", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert started.status_code == 403 and "needs manage" in started.text
    deployed = show.post(
        "/stacks/demo/deployments",
        data={"csrf_token": csrf, "command": "configure"},
        follow_redirects=False,
    )
    assert deployed.status_code == 403
    assert show.get("/stacks/demo/deploy").status_code == 403
    assert demo.get("/stacks/demo/instances/web1").json()["status"] == "stopped"
    assert demo.get("/stacks/demo/deployments").json() == []


def test_a_deploy_user_may_deploy_but_not_edit(browser: Browser, demo: Api) -> None:
    make_instance(demo, "demo", ["web"], "web1")
    deployer = browser("deployer", "deploy")
    page = deployer.get("/stacks/demo").text
    assert 'data-testid="deploy-link"' in page
    for control in EDIT_CONTROLS:
        assert f'data-testid="{control}"' not in page, control
    csrf = csrf_of(deployer, "/stacks/demo")
    refused = deployer.post(
        "/stacks/demo/instances/web1/stop", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert refused.status_code == 403
    assert deployer.get("/stacks/demo/deploy").status_code == 200


def test_a_manage_user_sees_the_instance_controls(browser: Browser, demo: Api) -> None:
    make_instance(demo, "demo", ["web"], "web1")
    page = browser("keeper", "manage").get("/stacks/demo").text
    for control in (*EDIT_CONTROLS, "deploy-link"):
        assert f'data-testid="{control}"' in page, control


def test_a_stack_below_show_is_not_listed_and_answers_as_unknown(
    browser: Browser, demo: Api
) -> None:
    denied = browser("outsider", "deny")
    listed = denied.get("/")
    assert 'data-testid="stack-row-demo"' not in listed.text
    hidden = denied.get("/stacks/demo")
    missing = denied.get("/stacks/ghost")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace("demo", "ghost") == missing.text


def test_console_changes_are_in_the_audit_log_refused_ones_too(browser: Browser, demo: Api) -> None:
    make_instance(demo, "demo", ["web"], "web1")
    show = browser("viewer", "show")
    csrf = csrf_of(show, "/stacks/demo")
    show.post("/stacks/demo/instances/web1/start", data={"csrf_token": csrf})
    admin = browser("admin")
    admin.post("/stacks/demo/instances/web1/start", data={"csrf_token": csrf_of(admin)})
    records = [
        (r["user"], r["status"])
        for r in demo.get("/stacks/demo/audit").json()
        if r["action"] == "POST /stacks/{stack}/instances/{hostname}/start"
    ]
    assert records == [("viewer", 403), ("admin", 303)]
    entry = demo.get("/stacks/demo/audit").json()[-1]
    assert csrf_of(admin) not in str(entry)  # the form body is noted by size, never kept
