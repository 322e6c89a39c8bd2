"""The layer settings page: recipes, packages, auto-healing, load-based thresholds and weekly
schedules saved through the REST routes' control functions, refused as they refuse (with the
form kept and nothing saved), editable at manage only, and never without the CSRF token."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from support.api_harness import Api

PAGE = "/stacks/demo/layers/web/settings"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf(client: TestClient, path: str = PAGE) -> str:
    found = CSRF_FIELD.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def post(client: TestClient, path: str, data: dict[str, str | list[str]]) -> object:
    return client.post(path, data={**data, "csrf_token": csrf(client)}, follow_redirects=False)


def layer(api: Api) -> dict[str, object]:
    return dict(api.get("/stacks/demo/layers/web").json())


def test_a_manager_saves_recipes_packages_and_auto_healing(demo: Api, browser) -> None:
    admin = browser("admin")
    page = admin.get(PAGE)
    assert page.status_code == 200
    assert 'data-testid="layer-settings-form"' in page.text
    answer = post(
        admin,
        f"{PAGE}",
        {
            "recipes.setup": "mine::setup\r\nmine::more",
            "recipes.deploy": "mine::deploy",
            "packages": "git curl",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{PAGE}?saved=settings"
    saved = layer(demo)
    assert saved["recipes"] == {"setup": ["mine::setup", "mine::more"], "deploy": ["mine::deploy"]}
    assert saved["packages"] == ["git", "curl"]
    assert saved["auto_healing"] is False
    shown = admin.get(f"{PAGE}?saved=settings").text
    assert 'data-testid="layer-saved"' in shown and "mine::more" in shown


def test_a_bad_recipe_name_is_refused_naming_the_field_and_keeps_the_form(
    demo: Api, browser
) -> None:
    admin = browser("admin")
    before = layer(demo)
    answer = post(admin, PAGE, {"recipes.configure": "not a recipe!", "auto_healing": "on"})
    assert answer.status_code == 422
    assert 'data-testid="layer-settings-error"' in answer.text
    assert "recipes.configure" in answer.text and "not a valid recipe name" in answer.text
    assert "not a recipe!" in answer.text  # the user's text stays in the textarea
    assert layer(demo) == before


def test_load_based_thresholds_are_saved_and_bad_numbers_refused(demo: Api, browser) -> None:
    admin = browser("admin")
    path = "/stacks/demo/layers/web/load-scaling"
    saved = post(
        admin,
        path,
        {
            "enable": "on",
            "up_scaling.cpu_threshold": "80",
            "down_scaling.cpu_threshold": "20",
            "up_scaling.instance_count": "2",
        },
    )
    assert saved.status_code == 303
    config = demo.get(path).json()
    assert config["enable"] is True
    assert config["up_scaling"]["cpu_threshold"] == 80
    assert config["up_scaling"]["instance_count"] == 2
    assert config["down_scaling"]["cpu_threshold"] == 20
    refused = post(admin, path, {"enable": "on", "up_scaling.memory_threshold": "lots"})
    assert refused.status_code == 422
    assert "up_scaling.memory_threshold" in refused.text and "lots" in refused.text
    assert demo.get(path).json() == config
    out_of_range = post(admin, path, {"enable": "on", "up_scaling.cpu_threshold": "150"})
    assert out_of_range.status_code == 422
    assert demo.get(path).json() == config


def test_the_weekly_grid_saves_a_time_based_instance_schedule(demo: Api, browser) -> None:
    created = demo.post("/stacks/demo/instances", {"layers": ["web"], "scaling": "time"})
    hostname = created.json()["hostname"]
    admin = browser("admin")
    page = admin.get(PAGE).text
    assert len(re.findall(r'<input type="checkbox" name="hour"', page)) == 7 * 24
    assert 'aria-label="Wednesday 13:00 UTC"' in page
    answer = post(
        admin,
        f"/stacks/demo/instances/{hostname}/schedule",
        {"layer": "web", "hour": ["Monday.9", "Monday.10", "Friday.23"]},
    )
    assert answer.status_code == 303
    schedule = demo.get(f"/stacks/demo/instances/{hostname}/schedule").json()["schedule"]
    assert schedule == {"Monday": {"9": "on", "10": "on"}, "Friday": {"23": "on"}}
    shown = admin.get(PAGE).text
    checked = re.findall(r'value="(\w+\.\d+)" aria-label="[^"]+" checked', shown)
    assert sorted(checked) == ["Friday.23", "Monday.10", "Monday.9"]


def test_a_cell_outside_the_week_is_refused_and_the_schedule_kept(demo: Api, browser) -> None:
    hostname = demo.post("/stacks/demo/instances", {"layers": ["web"], "scaling": "time"}).json()[
        "hostname"
    ]
    admin = browser("admin")
    path = f"/stacks/demo/instances/{hostname}/schedule"
    assert post(admin, path, {"layer": "web", "hour": ["Tuesday.4"]}).status_code == 303
    refused = post(admin, path, {"layer": "web", "hour": ["Tuesday.5", "Someday.99"]})
    assert refused.status_code == 422
    assert "Someday.99" in refused.text
    assert re.search(r'value="Tuesday\.5" aria-label="[^"]+" checked', refused.text)
    assert demo.get(f"{path}").json()["schedule"] == {"Tuesday": {"4": "on"}}


def test_a_24_7_instance_has_no_schedule_to_save(demo: Api, browser) -> None:
    hostname = demo.post("/stacks/demo/instances", {"layers": ["web"]}).json()["hostname"]
    admin = browser("admin")
    answer = post(admin, f"/stacks/demo/instances/{hostname}/schedule", {"hour": ["Monday.1"]})
    assert answer.status_code == 409
    assert "only time-based instances" in answer.text


def test_show_and_deploy_users_see_the_settings_without_edit_controls(demo: Api, browser) -> None:
    demo.post("/stacks/demo/instances", {"layers": ["web"], "scaling": "time"})
    demo.patch("/stacks/demo/layers/web", {"packages": ["git"]})
    for name, level in (("ann", "show"), ("dev", "deploy")):
        client = browser(name, level)
        page = client.get(PAGE)
        assert page.status_code == 200
        assert 'data-testid="layer-read-only"' in page.text
        assert "git" in page.text
        for control in ('<form method="post" action="/stacks', "<textarea", 'type="checkbox"'):
            assert control not in page.text, (name, control)
        assert 'data-testid="logout-form"' in page.text  # the one form a reader gets


def test_below_manage_every_save_is_refused_and_nothing_changes(demo: Api, browser) -> None:
    hostname = demo.post("/stacks/demo/instances", {"layers": ["web"], "scaling": "time"}).json()[
        "hostname"
    ]
    before = (layer(demo), demo.get("/stacks/demo/layers/web/load-scaling").json())
    client = browser("dev", "deploy")
    token = csrf(client, "/stacks/demo")
    for path, data in (
        (PAGE, {"packages": "evil"}),
        ("/stacks/demo/layers/web/load-scaling", {"enable": "on"}),
        (f"/stacks/demo/instances/{hostname}/schedule", {"hour": "Monday.1"}),
    ):
        answer = client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)
        assert answer.status_code == 403, path
        assert "manage" in answer.text
    assert (layer(demo), demo.get("/stacks/demo/layers/web/load-scaling").json()) == before
    assert demo.get(f"/stacks/demo/instances/{hostname}/schedule").json()["schedule"] == {}


def test_a_save_without_the_csrf_token_is_refused(demo: Api, browser) -> None:
    admin = browser("admin")
    before = layer(demo)
    for token in (None, "forged"):
        data = {"packages": "evil"} | ({"csrf_token": token} if token else {})
        answer = admin.post(PAGE, data=data, follow_redirects=False)
        assert answer.status_code == 403
        assert "CSRF" in answer.text
    assert layer(demo) == before


def test_an_unknown_layer_is_a_not_found_page(demo: Api, browser) -> None:
    assert browser("admin").get("/stacks/demo/layers/nope/settings").status_code == 404


def test_a_body_that_is_not_the_form_empties_nothing(demo: Api, browser) -> None:
    demo.patch("/stacks/demo/layers/web", {"packages": ["git"], "recipes": {"setup": ["a::b"]}})
    admin = browser("admin")
    before = layer(demo)
    header = {"X-CSRF-Token": csrf(admin)}
    for path in (PAGE, "/stacks/demo/layers/web/load-scaling"):
        answer = admin.post(path, json={"packages": []}, headers=header, follow_redirects=False)
        assert answer.status_code == 422, path
        assert "no form fields were sent" in answer.text
    assert layer(demo) == before
