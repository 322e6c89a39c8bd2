"""The stack page's "Add layer" and "Add app" forms and their delete buttons: saved through the
REST routes' control functions, refused as they refuse (the form kept, nothing saved, a secure
value never shown again), offered at manage only and refused below it, never without CSRF."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from support.api_harness import Api, make_instance, make_layer

PAGE = "/stacks/demo"
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = "s3cret-value-never-shown"


def csrf(client: TestClient) -> str:
    found = CSRF_FIELD.search(client.get(PAGE).text)
    assert found is not None
    return found.group(1)


def post(client: TestClient, path: str, data: dict[str, Any], *, token: bool = True) -> Any:
    fields = {**data, "csrf_token": csrf(client)} if token else data
    return client.post(path, data=fields, follow_redirects=False)


def layers(api: Api) -> dict[str, dict[str, Any]]:
    return {layer["shortname"]: layer for layer in api.get("/stacks/demo/layers").json()}


def apps(api: Api) -> dict[str, dict[str, Any]]:
    return {app["shortname"]: app for app in api.get("/stacks/demo/apps").json()}


APP_FORM = {
    "shortname": "shop",
    "source_type": "git",
    "source_url": "https://git.example/shop.git",
    "revision": "main",
    "layers": "web",
    "env.0.key": "GREETING",
    "env.0.value": "hello",
    "env.1.key": "API_KEY",
    "env.1.value": SECRET,
    "env.1.secure": "on",
}


def test_a_manager_adds_a_layer_of_a_type_with_packages(demo: Api, browser) -> None:
    admin = browser("admin")
    page = admin.get(PAGE).text
    assert 'data-testid="add-layer-form"' in page
    assert '<option value="python-app">' in page and '<option value="lb">' in page
    answer = post(
        admin,
        "/stacks/demo/layers",
        {
            "shortname": "app",
            "name": "App servers",
            "type": "python-app",
            "packages": "git\r\ncurl",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/stacks/demo?done=layer-added"
    made = layers(demo)["app"]
    assert (made["name"], made["type"], made["packages"]) == (
        "App servers",
        "python-app",
        ["git", "curl"],
    )
    shown = admin.get(answer.headers["location"]).text
    assert 'data-testid="layer-app"' in shown and 'data-testid="stack-done"' in shown


def test_a_bad_layer_is_refused_naming_the_field_and_keeps_the_form(demo: Api, browser) -> None:
    admin = browser("admin")
    before = layers(demo)
    bad_name = post(admin, "/stacks/demo/layers", {"shortname": "Not OK!", "packages": "vim"})
    assert bad_name.status_code == 422
    assert 'data-testid="add-layer-error"' in bad_name.text
    assert "shortname: &#39;Not OK!&#39; is not a valid shortname" in bad_name.text
    assert re.search(r'name="shortname"[^>]*value="Not OK!"[^>]*aria-invalid="true"', bad_name.text)
    assert ">vim</textarea>" in bad_name.text
    bad_type = post(admin, "/stacks/demo/layers", {"shortname": "cache", "type": "mainframe"})
    assert bad_type.status_code == 422
    assert "type: Input should be" in bad_type.text
    taken = post(admin, "/stacks/demo/layers", {"shortname": "web"})
    assert taken.status_code == 409
    assert layers(demo) == before


def test_a_manager_adds_an_app_whose_secure_value_is_sealed_and_shown_masked(
    demo: Api, browser
) -> None:
    admin = browser("admin")
    answer = post(admin, "/stacks/demo/apps", APP_FORM)
    assert answer.status_code == 303, answer.text
    made = apps(demo)["shop"]
    assert made["source"] == {
        "type": "git",
        "url": "https://git.example/shop.git",
        "revision": "main",
    }
    assert made["layers"] == ["web"]
    assert made["environment"] == [
        {"key": "GREETING", "value": "hello", "secure": False},
        {"key": "API_KEY", "value": "*****FILTERED*****", "secure": True},
    ]
    with demo.db.transaction() as session:
        (stored,) = session.execute(text("SELECT environment FROM apps")).one()
    assert SECRET not in str(stored) and "sealed" in str(stored)
    page = admin.get(PAGE).text
    assert 'data-testid="app-env-shop-API_KEY"' in page and "*****FILTERED*****" in page
    assert SECRET not in page
    assert 'data-testid="app-env-shop-GREETING"' in page and "hello" in page


def test_a_bad_app_is_refused_naming_the_field_and_never_echoes_a_secure_value(
    demo: Api, browser
) -> None:
    admin = browser("admin")
    unsafe = post(admin, "/stacks/demo/apps", {**APP_FORM, "source_url": "-oProxyCommand=x"})
    assert unsafe.status_code == 422
    assert 'data-testid="add-app-error"' in unsafe.text
    assert "source_url:" in unsafe.text
    assert re.search(r'name="source_url"[^>]*aria-invalid="true"', unsafe.text)
    assert 'value="GREETING"' in unsafe.text and 'value="hello"' in unsafe.text  # kept
    assert SECRET not in unsafe.text  # the secure value is typed again
    assert 'data-testid="add-app-env-1-retype"' in unsafe.text
    no_key = post(admin, "/stacks/demo/apps", {**APP_FORM, "env.2.value": "orphan"})
    assert no_key.status_code == 422
    assert "env.2.key: a value needs a variable name" in no_key.text
    assert SECRET not in no_key.text
    bad_key = post(admin, "/stacks/demo/apps", {**APP_FORM, "env.1.key": "1BAD"})
    assert bad_key.status_code == 422
    assert "env.1.key: &#39;1BAD&#39; is not a valid variable name" in bad_key.text
    assert re.search(r'name="env\.1\.key"[^>]*aria-invalid="true"', bad_key.text)
    assert SECRET not in bad_key.text
    no_layer = post(admin, "/stacks/demo/apps", {**APP_FORM, "layers": "ghost"})
    assert no_layer.status_code == 422
    assert "layers: the stack has no layer" in no_layer.text
    assert apps(demo) == {}


def test_deleting_a_layer_with_instances_shows_the_control_planes_refusal(
    demo: Api, browser
) -> None:
    hostname = make_instance(demo, "demo", ["web"])
    admin = browser("admin")
    refused = post(admin, "/stacks/demo/layers/web/delete", {})
    assert refused.status_code == 409
    assert 'data-testid="delete-layer-error"' in refused.text
    assert f"still has instances: {hostname}" in refused.text
    assert "web" in layers(demo)
    make_layer(demo, "demo", "spare")
    deleted = post(admin, "/stacks/demo/layers/spare/delete", {})
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/stacks/demo?done=layer-deleted"
    assert set(layers(demo)) == {"web"}


def test_a_manager_deletes_an_app(demo: Api, browser) -> None:
    admin = browser("admin")
    assert post(admin, "/stacks/demo/apps", APP_FORM).status_code == 303
    assert 'data-testid="app-delete-shop"' in admin.get(PAGE).text
    answer = post(admin, "/stacks/demo/apps/shop/delete", {})
    assert answer.status_code == 303
    assert apps(demo) == {}
    missing = post(admin, "/stacks/demo/apps/shop/delete", {})
    assert missing.status_code == 404


def test_a_change_without_the_csrf_token_is_refused_and_saves_nothing(demo: Api, browser) -> None:
    admin = browser("admin")
    refused = post(admin, "/stacks/demo/layers", {"shortname": "cache"}, token=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert post(admin, "/stacks/demo/apps", APP_FORM, token=False).status_code == 403
    assert post(admin, "/stacks/demo/layers/web/delete", {}, token=False).status_code == 403
    assert set(layers(demo)) == {"web"} and apps(demo) == {}


def test_show_and_deploy_users_get_no_forms_and_are_refused(demo: Api, browser) -> None:
    admin = browser("admin")
    assert post(admin, "/stacks/demo/apps", APP_FORM).status_code == 303
    for name, level in (("viewer", "show"), ("deployer", "deploy")):
        user = browser(name, level)
        page = user.get(PAGE).text
        for control in ("add-layer-form", "add-app-form", "layer-delete-web", "app-delete-shop"):
            assert f'data-testid="{control}"' not in page, (name, control)
        for path, data in (
            ("/stacks/demo/layers", {"shortname": "cache"}),
            ("/stacks/demo/apps", {**APP_FORM, "shortname": "other"}),
            ("/stacks/demo/layers/web/delete", {}),
            ("/stacks/demo/apps/shop/delete", {}),
        ):
            answer = post(user, path, data)
            assert answer.status_code == 403, (name, path, answer.text)
            assert "needs manage" in answer.text
    assert set(layers(demo)) == {"web"} and set(apps(demo)) == {"shop"}
