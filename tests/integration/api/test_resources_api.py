"""Volumes, snapshots, addresses, databases and start/stop stack through the API, on SQLite and
PostgreSQL: OpsWorks' rules, the configuration instances get, events, and what is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.api_harness import Api, make_instance, make_layer, make_stack

from .test_lifecycle import FakeAgent, bring_online

FILTERED = "*****FILTERED*****"
SECRET = "s3cret-db-pass"


def events(api: Api, kind: str) -> list[str]:
    return [e["message"] for e in api.get(f"/stacks/demo/events?kind={kind}").json()]


def register_db(api: Api, **extra: Any) -> Any:
    body = {
        "name": "main",
        "host": "db.internal",
        "database": "shop",
        "user": "shop",
        "password": SECRET,
        **extra,
    }
    return api.post("/stacks/demo/databases", body)


def test_a_layer_volume_configuration_gives_each_new_instance_its_own_volume(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "db", volume_configurations=[{"mount_point": "/srv/pg", "size": 5}])
    make_instance(api, "demo", ["db"], "db1")
    make_instance(api, "demo", ["db"], "db2")
    volumes = {v["name"]: v for v in api.get("/stacks/demo/volumes").json()}
    assert sorted(volumes) == ["db1-srv-pg", "db2-srv-pg"]
    assert {v["instance"] for v in volumes.values()} == {"db1", "db2"}
    assert all(v["size"] == 5 and v["layer"] == "db" for v in volumes.values())
    assert all(Path(v["path"]).is_dir() for v in volumes.values())
    assert len(events(api, "resource")) == 2
    layer = api.get("/stacks/demo/layers/db").json()
    assert layer["volume_configurations"][0]["mount_point"] == "/srv/pg"


def test_setup_carries_the_instance_volumes_and_runs_the_volumes_recipe_first(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "db", volume_configurations=[{"mount_point": "/srv/pg"}])
    make_instance(api, "demo", ["db"], "db1")
    api.post("/stacks/demo/instances/db1/start")
    api.tick()
    agent = FakeAgent(api, "db1")
    agent.heartbeat()
    setup = agent.next()
    assert setup is not None and setup["run_list"][0] == "stackworks::volumes"
    (volume,) = setup["configuration"]["self"]["volumes"]
    assert volume["name"] == "db1-srv-pg" and volume["mount_point"] == "/srv/pg"


def test_a_volume_configuration_added_later_gives_its_volume_at_the_next_start_by_anyone(
    api: Api,
) -> None:
    make_stack(api)
    make_layer(api, "demo", "db")
    make_instance(api, "demo", ["db"], "db1")
    changed = api.patch(
        "/stacks/demo/layers/db", {"volume_configurations": [{"mount_point": "/srv/pg"}]}
    )
    assert changed.status_code == 200, changed.text
    assert api.get("/stacks/demo/volumes").json() == []
    assert api.post("/stacks/demo/start").status_code == 200  # not the instance route
    api.tick()
    [volume] = api.get("/stacks/demo/volumes").json()
    assert (volume["name"], volume["instance"]) == ("db1-srv-pg", "db1")
    agent = FakeAgent(api, "db1")
    agent.heartbeat()
    setup = agent.next()
    assert setup is not None
    assert [v["name"] for v in setup["configuration"]["self"]["volumes"]] == ["db1-srv-pg"]


def test_assigning_follows_opsworks_rules_and_refusals_name_the_field(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    bad = api.post("/stacks/demo/volumes", {"name": "data", "mount_point": "relative/path"})
    assert bad.status_code == 422 and bad.json()["detail"]["field"] == "mount_point"
    too_big = api.post("/stacks/demo/volumes", {"name": "data", "size": 999999})
    assert too_big.status_code == 422 and too_big.json()["detail"]["field"] == "size"
    assert api.get("/stacks/demo/volumes").json() == []  # nothing half-written

    assert api.post("/stacks/demo/volumes", {"name": "data"}).status_code == 201
    no_mount = api.post("/stacks/demo/volumes/data/assign", {"instance": "app1"})
    assert no_mount.status_code == 422 and no_mount.json()["detail"]["field"] == "mount_point"
    assigned = api.post(
        "/stacks/demo/volumes/data/assign", {"instance": "app1", "mount_point": "/srv/data"}
    )
    assert assigned.status_code == 200 and assigned.json()["status"] == "in-use"
    busy = api.delete("/stacks/demo/volumes/data")
    assert busy.status_code == 409 and busy.json()["detail"]["field"] == "volume"

    api.post("/stacks/demo/volumes", {"name": "other", "mount_point": "/srv/data"})
    same_mount = api.post("/stacks/demo/volumes/other/assign", {"instance": "app1"})
    assert same_mount.status_code == 409
    assert same_mount.json()["detail"]["field"] == "mount_point"

    api.post("/stacks/demo/instances/app1/start")
    running = api.post("/stacks/demo/volumes/data/unassign")
    assert running.status_code == 409 and running.json()["detail"]["field"] == "instance"


def test_a_snapshot_restores_into_a_new_volume_and_a_schedule_keeps_its_retention(
    api: Api,
) -> None:
    make_stack(api)
    created = api.post("/stacks/demo/volumes", {"name": "data", "mount_point": "/srv/data"})
    path = Path(created.json()["path"])
    (path / "sub").mkdir()
    (path / "sub" / "file.txt").write_text("hello")
    snap = api.post("/stacks/demo/volumes/data/snapshots")
    assert snap.status_code == 201 and snap.json()["reason"] == "manual"
    restored = api.post(
        f"/stacks/demo/snapshots/{snap.json()['id']}/restore", {"name": "copy"}
    ).json()
    assert Path(restored["path"], "sub", "file.txt").read_text() == "hello"
    assert restored["path"] != str(path)
    taken = api.post(f"/stacks/demo/snapshots/{snap.json()['id']}/restore", {"name": "copy"})
    assert taken.status_code == 409 and taken.json()["detail"]["field"] == "name"
    assert any("restored from snapshot" in m for m in events(api, "resource"))


def test_an_address_reaches_the_configuration_and_moving_it_reconfigures_everyone(
    api: Api,
) -> None:
    make_stack(api)
    make_layer(api, "demo", "lb")
    make_instance(api, "demo", ["lb"], "lb1")
    make_instance(api, "demo", ["lb"], "lb2")
    lb1 = bring_online(api, "lb1")
    lb1.drain()
    lb2 = bring_online(api, "lb2")
    lb1.drain()
    lb2.drain()

    address = api.post("/stacks/demo/addresses", {"name": "public", "instance": "lb1"}).json()
    private = {i["private_ip"] for i in api.get("/stacks/demo/instances").json()}
    assert address["ip"] not in private and address["instance"] == "lb1"
    (on_lb1,) = lb1.drain()
    (on_lb2,) = lb2.drain()
    assert on_lb1["configuration"]["self"]["elastic_ip"] == address["ip"]
    assert on_lb2["configuration"]["self"]["elastic_ip"] is None
    assert on_lb2["configuration"]["instances"]["lb1"]["elastic_ip"] == address["ip"]
    assert on_lb2["configuration"]["layers"]["lb"]["instances"]["lb1"]["elastic_ip"]

    moved = api.post("/stacks/demo/addresses/public/associate", {"instance": "lb2"})
    assert moved.status_code == 200
    (again_lb1,) = lb1.drain()
    (again_lb2,) = lb2.drain()
    assert again_lb1["configuration"]["self"]["elastic_ip"] is None
    assert again_lb2["configuration"]["self"]["elastic_ip"] == address["ip"]
    assert "moved from lb1 to lb2" in again_lb1["configuration"]["command"]["reason"]

    api.post("/stacks/demo/addresses", {"name": "spare"})
    twice = api.post("/stacks/demo/addresses/spare/associate", {"instance": "lb2"})
    assert twice.status_code == 409 and twice.json()["detail"]["field"] == "instance"
    # a new instance never gets a registered address
    make_instance(api, "demo", ["lb"], "lb3")
    lb3 = api.get("/stacks/demo/instances/lb3").json()
    taken = {a["ip"] for a in api.get("/stacks/demo/addresses").json()}
    assert lb3["private_ip"] not in taken
    assert api.delete("/stacks/demo/addresses/public").status_code == 204
    (freed,) = lb2.drain()
    assert freed["configuration"]["self"]["elastic_ip"] is None


def test_a_registered_database_reaches_its_app_as_a_secure_database_url(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app", "python-app")
    assert register_db(api).status_code == 201
    shown = api.get("/stacks/demo/databases/main").json()
    assert shown["password"] == FILTERED and shown["port"] == 5432
    unknown = api.post(
        "/stacks/demo/apps",
        {"shortname": "web", "source": {"url": "file:///x"}, "data_sources": [{"name": "nope"}]},
    )
    assert unknown.status_code == 422 and unknown.json()["detail"]["field"] == "data_sources"
    app = api.post(
        "/stacks/demo/apps",
        {"shortname": "web", "source": {"url": "file:///x"}, "data_sources": [{"name": "main"}]},
    )
    assert app.status_code == 201 and app.json()["data_sources"] == [
        {"type": "database", "name": "main"}
    ]
    make_instance(api, "demo", ["app"], "app1")
    agent = bring_online(api, "app1")
    api.patch("/stacks/demo/databases/main", {"host": "db2.internal", "password": FILTERED})
    (configure,) = agent.drain()
    config = configure["configuration"]["apps"]["web"]
    assert config["environment"]["DATABASE_URL"] == (
        f"postgresql://shop:{SECRET}@db2.internal:5432/shop"
    )
    assert "DATABASE_URL" in config["secure_keys"]
    assert config["data_sources"][0]["password"] == SECRET  # kept through the masked update

    commands = api.get("/stacks/demo/commands?configuration=true").json()
    exported = api.get("/stacks/demo/document").json()
    listed = api.get("/stacks/demo/databases").json()
    for answer in (commands, exported, listed, api.get("/stacks/demo/events").json()):
        assert SECRET not in json.dumps(answer)
    assert exported["databases"][0]["password"] == FILTERED
    assert exported["apps"][0]["data_sources"] == [{"type": "database", "name": "main"}]

    in_use = api.delete("/stacks/demo/databases/main")
    assert in_use.status_code == 409 and "web" in in_use.json()["detail"]["message"]
    # applying the export back changes nothing and keeps the real password
    applied = api.put("/stacks/demo/document", exported).json()
    assert "database main" in applied["unchanged"] and "app web" in applied["unchanged"]


def test_bad_database_details_name_the_field_and_nothing_is_registered(api: Api) -> None:
    make_stack(api)
    assert register_db(api, host="bad host").json()["detail"]["field"] == "host"
    assert register_db(api, port=70000).json()["detail"]["field"] == "port"
    assert register_db(api, engine="oracle").status_code == 422
    assert register_db(api, name="Bad Name").json()["detail"]["field"] == "name"
    assert api.get("/stacks/demo/databases").json() == []


def test_start_and_stop_stack_act_on_the_right_instances_and_record_events(api: Api) -> None:
    make_stack(api)
    make_layer(api, "demo", "app")
    make_instance(api, "demo", ["app"], "app1")
    make_instance(api, "demo", ["app"], "app2")
    timed = api.post(
        "/stacks/demo/instances", {"layers": ["app"], "hostname": "t1", "scaling": "time"}
    )
    assert timed.status_code == 201
    started = api.post("/stacks/demo/start").json()
    assert started["changed"] == ["app1", "app2"] and started["unchanged"] == ["t1"]
    statuses = {i["hostname"]: i["status"] for i in api.get("/stacks/demo/instances").json()}
    assert statuses == {"app1": "requested", "app2": "requested", "t1": "stopped"}
    again = api.post("/stacks/demo/start").json()
    assert again["changed"] == []
    stopped = api.post("/stacks/demo/stop").json()
    assert stopped["changed"] == ["app1", "app2"]
    messages = events(api, "stack")
    assert messages[0].startswith("stack started: 2 instances (app1, app2)")
    assert "t1 left to their schedules" in messages[0]
    assert messages[-1].startswith("stack stopped: 2 instances")


def test_a_stack_with_registered_addresses_or_volumes_is_not_deleted(api: Api) -> None:
    make_stack(api)
    api.post("/stacks/demo/addresses", {"name": "public"})
    api.post("/stacks/demo/volumes", {"name": "data"})
    refused = api.delete("/stacks/demo")
    assert refused.status_code == 409
    assert "address public, volume data" in refused.json()["detail"]["message"]
    assert api.delete("/stacks/demo/addresses/public").status_code == 204
    assert api.delete("/stacks/demo/volumes/data").status_code == 204
    assert api.delete("/stacks/demo").status_code == 204
