"""The stack list: health summaries, create (custom JSON errors with line and column), clone,
delete with its confirmation."""

from __future__ import annotations

import html

from support.api_harness import Api, make_instance, make_layer

from .conftest import Browser, csrf_of


def test_the_list_counts_each_stacks_instances_by_health(browser: Browser, demo: Api) -> None:
    make_layer(demo, "demo", "db")
    make_instance(demo, "demo", ["web"], "web1")
    make_instance(demo, "demo", ["web"], "web2")
    assert demo.post("/stacks/demo/instances/web1/start").status_code == 200
    page = browser("admin").get("/").text
    assert 'data-testid="stack-row-demo"' in page
    assert '<td data-label="Layers">2</td>' in page
    row = page[page.index('data-testid="stack-health-demo"') :]
    assert 'data-testid="stack-health-demo-busy"><span class="count">1</span>' in row
    assert 'data-testid="stack-health-demo-stopped"><span class="count">1</span>' in row
    assert 'data-testid="stack-health-demo-online"><span class="count">0</span>' in row


def test_create_takes_custom_json_and_points_at_a_json_error(browser: Browser, api: Api) -> None:
    admin = browser("admin")
    csrf = csrf_of(admin)
    broken = admin.post(
        "/stacks",
        data={"csrf_token": csrf, "name": "shop", "custom_json": '{\n  "a": 1,\n  "b": }'},
    )
    assert broken.status_code == 422
    assert "custom_json: not valid JSON at line 3, column 8" in html.unescape(broken.text)
    assert 'value="shop"' in broken.text  # the form keeps what was typed
    assert api.get("/stacks/shop").status_code == 404
    made = admin.post(
        "/stacks",
        data={"csrf_token": csrf, "name": "shop", "custom_json": '{"region": "north"}'},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"] == "/stacks/shop"
    assert api.get("/stacks/shop").json()["custom_json"] == {"region": "north"}


def test_clone_copies_the_stack_under_a_new_name(browser: Browser, demo: Api) -> None:
    make_instance(demo, "demo", ["web"], "web1")
    admin = browser("admin")
    answer = admin.post(
        "/stacks/demo/clone",
        data={"csrf_token": csrf_of(admin), "name": "demo-copy"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    layers = demo.get("/stacks/demo-copy/layers").json()
    assert [layer["shortname"] for layer in layers] == ["web"]
    assert [i["hostname"] for i in demo.get("/stacks/demo-copy/instances").json()] == ["web1"]
    again = admin.post(
        "/stacks/demo/clone", data={"csrf_token": csrf_of(admin), "name": "demo-copy"}
    )
    assert again.status_code == 422 and "exists already" in again.text


def test_delete_needs_the_stack_name_typed_again(browser: Browser, demo: Api) -> None:
    admin = browser("admin")
    assert admin.get("/stacks/demo/delete").status_code == 200
    csrf = csrf_of(admin)
    wrong = admin.post("/stacks/demo/delete", data={"csrf_token": csrf, "confirm": "dem"})
    assert wrong.status_code == 422 and "Type demo to confirm" in wrong.text
    assert demo.get("/stacks/demo").status_code == 200
    done = admin.post(
        "/stacks/demo/delete", data={"csrf_token": csrf, "confirm": "demo"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert demo.get("/stacks/demo").status_code == 404
