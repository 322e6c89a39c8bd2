"""Stacks, layers, apps and instances through the API: what is kept, what is refused and why."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.api_harness import Api, make_instance, make_layer, make_stack

FILTERED = "*****FILTERED*****"


def test_a_stack_with_layers_apps_and_instances_reads_back(api: Api) -> None:
    make_stack(api, custom_json={"haproxy": {"port": 8080}})
    make_layer(api, "demo", "lb", "lb")
    make_layer(api, "demo", "app", "python-app", recipes={"deploy": ["extra::after"]})
    answer = api.post(
        "/stacks/demo/apps",
        {"shortname": "web", "source": {"url": "file:///srv/web.git", "revision": "main"}},
    )
    assert answer.status_code == 201
    assert answer.json()["deploys_to"] == ["app"]
    assert make_instance(api, "demo", ["app"]) == "app1"
    assert make_instance(api, "demo", ["app"]) == "app2"
    stack = api.get("/stacks/demo").json()
    assert stack["layers_count"] == 2 and stack["apps_count"] == 1
    assert stack["instances_count"] == {"stopped": 2}
    layer = api.get("/stacks/demo/layers/app").json()
    assert layer["default_recipes"]["deploy"] == ["python_app::deploy"]
    assert layer["recipes"]["deploy"] == ["extra::after"]


def test_duplicate_shortnames_and_hostnames_are_conflicts_naming_the_field(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    again = api.post("/stacks/demo/layers", {"shortname": "app"})
    assert again.status_code == 409
    assert again.json()["detail"]["field"] == "shortname"
    make_instance(api, "demo", ["app"], hostname="web1")
    twin = api.post("/stacks/demo/instances", {"layers": ["app"], "hostname": "web1"})
    assert twin.status_code == 409
    assert twin.json()["detail"]["field"] == "hostname"


def test_unknown_names_are_404_and_say_what_was_missing(api: Api) -> None:
    assert api.get("/stacks/nope").json()["detail"]["message"] == "stack 'nope' not found"
    make_stack(api)
    assert api.get("/stacks/demo/layers/nope").status_code == 404
    assert api.get("/stacks/demo/apps/nope").status_code == 404
    assert api.get("/stacks/demo/instances/nope").status_code == 404
    assert api.get("/stacks/demo/deployments/nope").status_code == 404
    unknown_layer = api.post("/stacks/demo/instances", {"layers": ["ghost"]})
    assert unknown_layer.status_code == 422
    assert unknown_layer.json()["detail"]["field"] == "layers"


def test_invalid_values_are_422_naming_the_field_and_nothing_is_created(api: Api) -> None:
    make_stack(api)
    cases = [
        (
            "/stacks/demo/layers",
            {"shortname": "x", "recipes": {"setup": ["no good"]}},
            "recipes.setup",
        ),
        ("/stacks/demo/layers", {"shortname": "x", "recipes": {"boot": ["a::b"]}}, "recipes.boot"),
        ("/stacks/demo/layers", {"shortname": "Bad Name"}, "shortname"),
        ("/stacks/demo/layers", {"shortname": "x", "type": "mainframe"}, "type"),
        ("/stacks/demo/layers", {"shortname": "x", "custom_json": [1]}, "custom_json"),
        ("/stacks/demo/layers", {"shortname": "x", "colour": "red"}, "colour"),
        ("/stacks", {"name": "bad name!"}, "name"),
        ("/stacks", {"name": "s2", "hostname_theme": "planets"}, "hostname_theme"),
    ]
    for path, body, field in cases:
        answer = api.post(path, body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.json()["detail"]["field"] == field, answer.json()
    make_layer(api, "demo", "app")
    bad_host = api.post("/stacks/demo/instances", {"layers": ["app"], "hostname": "-x"})
    assert bad_host.json()["detail"]["field"] == "hostname"
    assert api.get("/stacks/demo/layers").json()[0]["shortname"] == "app"
    assert len(api.get("/stacks/demo/layers").json()) == 1
    assert [s["name"] for s in api.get("/stacks").json()] == ["demo"]


def test_a_body_that_is_not_json_is_a_clear_422(api: Api) -> None:
    answer = api.client.post(
        "/api/v1/stacks",
        content=b'{"name": ',
        headers={**api.headers(), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert "not valid JSON" in answer.json()["detail"]["message"]


def test_secure_environment_values_never_come_back(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app", "python-app")
    api.post(
        "/stacks/demo/apps",
        {
            "shortname": "web",
            "source": {"url": "file:///r"},
            "environment": [
                {"key": "DEBUG", "value": "0"},
                {"key": "SECRET_KEY", "value": "hunter2", "secure": True},
            ],
        },
    )
    for text in (
        api.get("/stacks/demo/apps/web").text,
        api.get("/stacks/demo/apps").text,
        api.get("/stacks/demo/document").text,
    ):
        assert "hunter2" not in text
        assert FILTERED in text
    # sending the masked value back keeps the stored secret
    env = api.get("/stacks/demo/apps/web").json()["environment"]
    assert api.patch("/stacks/demo/apps/web", {"environment": env}).status_code == 200
    with api.db.transaction() as session:
        from stackworks.store import apps, stacks

        app = apps.get(session, stacks.get_by_name(session, "demo").id, "web")
    assert app.secure_values() == ["hunter2"]


def test_apply_creates_then_changes_nothing_then_updates(api: Api) -> None:
    document = {
        "name": "shop",
        "custom_json": {"a": 1},
        "layers": [{"shortname": "lb", "type": "lb"}, {"shortname": "app", "type": "python-app"}],
        "apps": [{"shortname": "web", "source": {"url": "file:///r"}, "layers": ["app"]}],
        "instances": [
            {"hostname": "lb1", "layers": ["lb"]},
            {"hostname": "app1", "layers": ["app"]},
        ],
    }
    first = api.put("/stacks/shop/document", document).json()
    assert sorted(first["created"]) == sorted(
        ["stack shop", "layer lb", "layer app", "app web", "instance lb1", "instance app1"]
    )
    second = api.put("/stacks/shop/document", document).json()
    assert second["created"] == [] and second["updated"] == []
    document["custom_json"] = {"a": 2}
    third = api.put("/stacks/shop/document", document).json()
    assert third["updated"] == ["stack shop"]
    exported = api.get("/stacks/shop/document").json()
    assert api.put("/stacks/shop/document", exported).json()["updated"] == []


def test_schedules_and_load_scaling_round_trip_through_export_and_apply(api: Api) -> None:
    document = {
        "name": "shop",
        "layers": [{"shortname": "app", "type": "python-app"}],
        "instances": [
            {"hostname": "app1", "layers": ["app"]},
            {"hostname": "app2", "layers": ["app"], "scaling": "time"},
            {"hostname": "app3", "layers": ["app"], "scaling": "load"},
        ],
        "load_scaling": {
            "app": {"enable": True, "up_scaling": {"cpu_threshold": 80, "instance_count": 2}}
        },
        "schedules": {"app2": {"Monday": {"9": "on", "10": "on"}}},
    }
    first = api.put("/stacks/shop/document", document)
    assert first.status_code == 200, first.text
    assert "load scaling of layer app" in first.json()["updated"]
    assert "schedule of instance app2" in first.json()["updated"]
    shown = api.get("/stacks/shop/layers/app/load-scaling").json()
    assert shown["enable"] and shown["up_scaling"]["cpu_threshold"] == 80
    assert api.get("/stacks/shop/instances/app2/schedule").json()["schedule"] == {
        "Monday": {"9": "on", "10": "on"}
    }
    exported = api.get("/stacks/shop/document").json()
    assert exported["schedules"] == {
        "app2": {**dict.fromkeys(_DAYS), "Monday": {"9": "on", "10": "on"}}
    }
    assert exported["load_scaling"]["app"]["up_scaling"]["instance_count"] == 2
    again = api.put("/stacks/shop/document", exported).json()
    assert again["updated"] == [] and again["created"] == []
    refused = api.put(
        "/stacks/shop/document", {**document, "schedules": {"app1": {"Monday": {"9": "on"}}}}
    )
    assert refused.status_code == 409  # app1 is 24/7: it has no schedule
    assert "schedules.app1" in refused.text


_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def test_apply_with_an_error_anywhere_creates_nothing(api: Api) -> None:
    document = {
        "name": "shop",
        "layers": [{"shortname": "app"}],
        "instances": [{"hostname": "app1", "layers": ["missing"]}],
    }
    answer = api.put("/stacks/shop/document", document)
    assert answer.status_code == 422
    assert answer.json()["detail"]["field"] == "instances[0].layers"
    assert api.get("/stacks/shop").status_code == 404


def test_an_instance_that_runs_cannot_be_deleted_and_a_busy_layer_neither(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    api.post("/stacks/demo/instances/app1/start")
    refused = api.delete("/stacks/demo/instances/app1")
    assert refused.status_code == 409
    assert "stop it" in refused.json()["detail"]["message"]
    assert api.delete("/stacks/demo/layers/app").status_code == 409


def _git_repo(path: Path) -> str:
    path.mkdir()
    for argv in (
        ["init", "-q", "-b", "main"],
        [
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t.invalid",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "one",
        ],
    ):
        subprocess.run(["git", "-C", str(path), *argv], check=True, capture_output=True)
    return subprocess.run(
        ["git", "-C", str(path), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_git_cookbook_sources_are_pinned_until_update_custom_cookbooks(
    api: Api, tmp_path: Path
) -> None:
    first = _git_repo(tmp_path / "cookbooks")
    source = {"type": "git", "url": f"file://{tmp_path / 'cookbooks'}", "ref": "main"}
    stack = make_stack(api, cookbook_sources=[source])
    assert stack["cookbook_sources"][0]["pinned_commit"] == first
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path / "cookbooks"),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t.invalid",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "two",
        ],
        check=True,
    )
    assert api.get("/stacks/demo").json()["cookbook_sources"][0]["pinned_commit"] == first
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    from .test_lifecycle import bring_online  # the agent's side, played by the test

    agent = bring_online(api, "app1")
    agent.drain()
    api.post("/stacks/demo/deployments", {"command": {"name": "update_custom_cookbooks"}})
    second = api.get("/stacks/demo").json()["cookbook_sources"][0]["pinned_commit"]
    assert second not in (first, None)
    command = agent.next()
    assert command is not None
    assert command["configuration"]["stackworks"]["cookbook_sources"][0]["pinned_commit"] == second


def test_a_cookbook_source_that_does_not_exist_is_refused_naming_it(
    api: Api, tmp_path: Path
) -> None:
    answer = api.post(
        "/stacks",
        {
            "name": "demo",
            "cookbook_sources": [{"type": "git", "url": f"file://{tmp_path / 'nowhere'}"}],
        },
    )
    assert answer.status_code == 422
    assert answer.json()["detail"]["field"] == "cookbook_sources[0].url"
    assert api.get("/stacks/demo").status_code == 404
