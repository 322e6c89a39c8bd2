"""Seed 001's Celery: the broker URL from the `broker_layer` instances or a fixed `broker`,
and `buildout_init_commands` as supervised programs that get it (and restart only when it
changed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.plone_instances import broker, init_commands
from stackworks.testing import RecipeFailed, StackBuilder, run_recipe

WORKER = {"name": "celeryd", "cmd": "celery", "args": "-A tasks worker --loglevel 'INFO'"}
LAYERS = {
    "redis": {
        "instances": {
            "redis2": {"private_ip": "127.77.3.2", "status": "online"},
            "redis1": {"private_ip": "127.77.3.1", "status": "online"},
        }
    }
}


def test_the_broker_is_the_first_online_instance_of_the_broker_layer() -> None:
    assert broker.broker_url({}, LAYERS, 6390) == "redis://127.77.3.1:6390/0"
    assert broker.broker_url({"broker_layer": "queues"}, LAYERS, 6390) is None


def test_a_fixed_broker_wins_and_its_fields_are_checked() -> None:
    fixed = {"broker": {"host": "cache.example", "port": 6380, "db": 2}}
    assert broker.broker_url(fixed, LAYERS, 6379) == "redis://cache.example:6380/2"
    with pytest.raises(ValueError, match=r"plone_instances.broker.db: expected"):
        broker.broker_url({"broker": {"host": "h", "db": 99}}, {}, 6379)
    with pytest.raises(ValueError, match=r"plone_instances.broker.host"):
        broker.broker_url({"broker": {"port": 1}}, {}, 6379)


def test_init_commands_resolve_their_program_and_split_args_without_a_shell() -> None:
    items = [
        WORKER,
        {"name": "zeo", "cmd": "bin/zeoserver", "args": ["console"]},
        {"name": "beat", "cmd": "/usr/bin/env"},
    ]
    found = init_commands.parse(items, "site", release_dir="/r/rel", venv="/r/rel/.venv")
    assert [c.service for c in found] == ["site-celeryd", "site-zeo", "site-beat"]
    assert found[0].argv == (
        "/r/rel/.venv/bin/celery",
        "-A",
        "tasks",
        "worker",
        "--loglevel",
        "INFO",
    )
    assert found[1].argv == ("/r/rel/bin/zeoserver", "console")
    assert found[2].argv == ("/usr/bin/env",)


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ("celery worker", r"buildout_init_commands: expected a list"),
        ([{"name": "w"}], r"buildout_init_commands\[0\].cmd: required"),
        ([{"name": "client1", "cmd": "x"}], r"\[0\].name: 'client1'"),
        ([{"name": "a b", "cmd": "x"}], r"\[0\].name: 'a b'"),
        ([{"name": "w", "cmd": "x", "args": "'open"}], r"\[0\].args: No closing quotation"),
        ([{"name": "w", "cmd": "x"}, {"name": "w", "cmd": "y"}], r"\[1\].name: 'w' is used twice"),
    ],
)
def test_a_bad_init_command_is_named(items: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        init_commands.parse(items, "site", release_dir="/r", venv="/v")


def _stack(tmp_path: Path, redis_ip: str | None, **plone: Any) -> dict[str, Any]:
    builder = (
        StackBuilder("plone", root=tmp_path)
        .layer("plone_instances", type="plone-instances")
        .layer("zeoserver", type="zeoserver")
        .layer("redis", type="redis")
        .instance("plone1", layers=["plone_instances"], me=True)
        .instance("zeo1", layers=["zeoserver"], private_ip="127.77.3.9")
    )
    if redis_ip:
        builder = builder.instance("redis1", layers=["redis"], private_ip=redis_ip)
    return (
        builder.app("site", layers=["plone_instances"], deploy=False)
        .attributes(
            {
                "plone_instances": {"instance_count": 1, "enable_celery": True, **plone},
                "redis": {"port": 6390},
                "deploy": {"site": {"buildout_init_commands": [WORKER]}},
            }
        )
        .build()
    )


def test_configure_runs_the_worker_with_the_broker_url_and_writes_broker_env(
    tmp_path: Path, deployed: Path
) -> None:
    declared = run_recipe("plone_instances::configure", _stack(tmp_path, "127.77.3.1"))
    worker = declared.find("service", "site-celeryd")
    assert worker.properties["environment"]["CELERY_BROKER_URL"] == "redis://127.77.3.1:6390/0"
    assert worker.properties["command"][0].endswith("releases/20260101T000000Z/.venv/bin/celery")
    assert worker.properties["directory"].endswith("releases/20260101T000000Z")
    env_file = declared.find("file", "shared/broker.env")
    assert env_file.properties["content"] == "CELERY_BROKER_URL=redis://127.77.3.1:6390/0\n"
    recorded = declared.find("file", "shared/processes.json").properties["content"]
    assert '"site-client1"' in recorded and '"site-celeryd"' in recorded


def test_a_new_broker_changes_the_workers_definition_and_the_same_one_does_not(
    tmp_path: Path, deployed: Path
) -> None:
    def definition(ip: str) -> dict[str, Any]:
        declared = run_recipe("plone_instances::configure", _stack(tmp_path, ip))
        return dict(declared.find("service", "site-celeryd").properties)

    assert definition("127.77.3.1") == definition("127.77.3.1")
    assert definition("127.77.3.1") != definition("127.77.3.4")


def test_without_a_broker_online_the_worker_waits_and_stays_recorded(
    tmp_path: Path, deployed: Path
) -> None:
    declared = run_recipe("plone_instances::configure", _stack(tmp_path, None))
    assert not [d for d in declared.all("service") if d.name == "site-celeryd"]
    assert "no broker online (layer redis)" in declared.output()
    assert '"site-celeryd"' in declared.find("file", "shared/processes.json").properties["content"]


def test_a_bad_broker_fails_the_recipe_naming_it(tmp_path: Path, deployed: Path) -> None:
    config = _stack(tmp_path, None, broker={"host": "bad host"})
    with pytest.raises(RecipeFailed, match=r"plone_instances\.broker\.host"):
        run_recipe("plone_instances::configure", config)
