"""What the stack configuration says of resources: each instance's elastic_ip, its volumes in
`self`, an app's data sources and DATABASE_URL, and that masking and scrubbing cover them."""

from __future__ import annotations

from dataclasses import replace

from stackworks.domain.entities import FILTERED, EnvironmentVariable
from stackworks.domain.resources import (
    Address,
    DatabaseEngine,
    DataSource,
    RegisteredDatabase,
    Volume,
)
from stackworks.domain.stack_config import (
    StackSnapshot,
    build_configuration,
    mask_configuration,
    secure_values,
)

from .test_stack_config import snapshot

COMMAND = {"id": "c", "type": "configure", "args": {}, "reason": ""}
DB = RegisteredDatabase(
    id="d1", stack_id="s", name="main", engine=DatabaseEngine.POSTGRESQL, host="db", port=5432,
    database="shop", user="shop", password="pw-9",
)  # fmt: skip


def with_resources(base: StackSnapshot) -> StackSnapshot:
    web = replace(base.apps[0], data_sources=(DataSource("database", "main"),))
    return replace(
        base,
        apps=[web],
        addresses=[Address(id="e1", stack_id="s", ip="127.77.9.9", name="public",
                           instance_id="i1")],
        volumes=[
            Volume(id="v1", stack_id="s", name="app1-srv-data", path="/d/volumes/s/v1",
                   mount_point="/srv/data", instance_id="i2"),
            Volume(id="v2", stack_id="s", name="spare", path="/d/volumes/s/v2"),
        ],
        databases=[DB],
    )  # fmt: skip


def test_the_elastic_ip_is_on_its_instance_everywhere_the_instance_is_described() -> None:
    snap = with_resources(snapshot())
    lb1, app1 = snap.instances[0], snap.instances[1]
    on_lb = build_configuration(snap, lb1, command=COMMAND)
    assert on_lb["self"]["elastic_ip"] == "127.77.9.9"
    on_app = build_configuration(snap, app1, command=COMMAND)
    assert on_app["self"]["elastic_ip"] is None
    assert on_app["instances"]["lb1"]["elastic_ip"] == "127.77.9.9"
    assert on_app["layers"]["lb"]["instances"]["lb1"]["elastic_ip"] == "127.77.9.9"


def test_self_lists_only_the_instance_volumes_mounted_inside_its_root() -> None:
    snap = with_resources(snapshot())
    app1 = snap.instances[1]  # root_dir /r/app1
    (volume,) = build_configuration(snap, app1, command=COMMAND)["self"]["volumes"]
    assert volume == {
        "id": "v1",
        "name": "app1-srv-data",
        "mount_point": "/srv/data",
        "mount_path": "/r/app1/srv/data",
        "path": "/d/volumes/s/v1",
    }
    assert build_configuration(snap, snap.instances[0], command=COMMAND)["self"]["volumes"] == []


def test_a_database_data_source_gives_the_app_a_secure_database_url() -> None:
    snap = with_resources(snapshot())
    config = build_configuration(snap, snap.instances[1], command=COMMAND)
    web = config["apps"]["web"]
    assert web["environment"]["DATABASE_URL"] == "postgresql://shop:pw-9@db:5432/shop"
    assert web["secure_keys"] == ["TOKEN", "DATABASE_URL"]
    assert web["data_sources"][0]["host"] == "db"
    masked = mask_configuration(config)["apps"]["web"]
    assert masked["environment"]["DATABASE_URL"] == FILTERED
    assert masked["data_sources"][0]["password"] == FILTERED
    assert "pw-9" not in str(mask_configuration(config))
    assert "pw-9" in secure_values(config)
    assert "postgresql://shop:pw-9@db:5432/shop" in secure_values(config)


def test_an_app_that_sets_database_url_itself_keeps_its_own() -> None:
    snap = with_resources(snapshot())
    own = replace(
        snap.apps[0],
        environment=(*snap.apps[0].environment, EnvironmentVariable("DATABASE_URL", "sqlite://")),
    )
    config = build_configuration(replace(snap, apps=[own]), snap.instances[1], command=COMMAND)
    assert config["apps"]["web"]["environment"]["DATABASE_URL"] == "sqlite://"
    assert "DATABASE_URL" not in config["apps"]["web"]["secure_keys"]
