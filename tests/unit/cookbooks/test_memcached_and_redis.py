"""The memcached and redis cookbooks: their programs bound to the private address, their
settings checked by name, redis' data on the layer's volume when there is one, and the
layer types' default run lists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.memcached import service as memcached
from stackworks.cookbooks.memcached.attributes import DEFAULTS as MEMCACHED
from stackworks.cookbooks.redis import config as redis
from stackworks.cookbooks.redis.attributes import DEFAULTS as REDIS
from stackworks.domain.layer_types import DEFAULT_RECIPES
from stackworks.domain.status import LayerType
from stackworks.testing import RecipeFailed, StackBuilder, run_recipe


def test_memcached_listens_on_the_private_address_only_with_udp_off() -> None:
    argv = memcached.arguments({**MEMCACHED["memcached"], "memory": 128}, "127.77.4.1")
    assert argv[:6] == ["-l", "127.77.4.1", "-p", "11211", "-U", "0"]
    assert argv[argv.index("-m") + 1] == "128" and argv[-2:] == ["-u", "memcache"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"port": 70000}, "memcached.port"),
        ({"memory": 0}, "memcached.memory"),
        ({"user": "root; rm"}, "memcached.user"),
    ],
)
def test_a_bad_memcached_setting_is_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        memcached.arguments({**MEMCACHED["memcached"], **change}, "127.77.4.1")


def _config(tmp_path: Path, layer: str, **attributes: Any) -> dict[str, Any]:
    return (
        StackBuilder("s", root=tmp_path)
        .layer(layer, type=layer)
        .instance(f"{layer}1", layers=[layer], private_ip="127.77.4.2", me=True)
        .attributes({layer: {"binary": "/bin/true", **attributes}})
        .build()
    )


def test_memcached_setup_installs_the_package_then_runs_the_service(tmp_path: Path) -> None:
    declared = run_recipe("memcached::setup", _config(tmp_path, "memcached", port=11300))
    assert declared.kinds() == [("package", "memcached"), ("service", "memcached")]
    command = declared.find("service", "memcached").properties["command"]
    assert command[:5] == ["/bin/true", "-l", "127.77.4.2", "-p", "11300"]


def test_redis_conf_binds_the_private_address_and_keeps_data_where_told() -> None:
    text = redis.render_redis_conf(REDIS["redis"], address="127.77.4.2", data="/v/redis")
    assert "bind 127.77.4.2\nport 6379\ndaemonize no\n" in text
    assert "dir /v/redis\n" in text and 'save "3600 1 300 100 60 10000"' in text
    assert "appendonly no" in text and "maxmemory " not in text


def test_redis_data_is_on_the_volume_mounted_at_the_mount_point() -> None:
    volume = {"mount_point": "/srv/redis", "mount_path": "/i/root/srv/redis"}
    assert redis.data_dir("/i/root/srv", [volume], "/srv/redis") == "/i/root/srv/redis"
    assert redis.data_dir("/i/root/srv", [], "/srv/redis") == "/i/root/srv/redis/data"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"save": "every minute"}, "redis.save"),
        ({"maxmemory": "lots"}, "redis.maxmemory"),
        ({"maxmemory_policy": "random"}, "redis.maxmemory_policy"),
        ({"port": "x"}, "redis.port"),
    ],
)
def test_a_bad_redis_setting_is_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        redis.render_redis_conf({**REDIS["redis"], **change}, address="127.77.4.2", data="/d")


def test_a_changed_redis_conf_changes_the_services_definition(tmp_path: Path) -> None:
    def service(**attributes: Any) -> dict[str, Any]:
        declared = run_recipe("redis::configure", _config(tmp_path, "redis", **attributes))
        return dict(declared.find("service", "redis").properties)

    assert service(port=6390) == service(port=6390)
    assert service(port=6390) != service(port=6391)


def test_a_missing_redis_program_fails_naming_the_attribute(tmp_path: Path) -> None:
    with pytest.raises(RecipeFailed, match=r"redis.binary: .no-such-redis. is not installed"):
        run_recipe("redis::configure", _config(tmp_path, "redis", binary="no-such-redis"))


@pytest.mark.parametrize("layer_type", [LayerType.MEMCACHED, LayerType.REDIS])
def test_memcached_and_redis_layer_types_bring_setup_configure_and_stop(
    layer_type: LayerType,
) -> None:
    recipes = DEFAULT_RECIPES[layer_type]
    cookbook = layer_type.value
    assert recipes["setup"] == (f"{cookbook}::setup",)
    assert recipes["configure"] == (f"{cookbook}::configure",)
    assert recipes["shutdown"] == recipes["stop"] == (f"{cookbook}::stop",)


def test_redis_on_a_volume_leaves_the_mount_to_the_volume_and_points_its_data_there(
    tmp_path: Path,
) -> None:
    configuration = _config(tmp_path, "redis")
    mount = str(tmp_path / "redis1-volume-link")
    configuration["self"]["volumes"] = [{"mount_point": "/srv/redis", "mount_path": mount}]
    on_volume = run_recipe("redis::configure", configuration)
    assert ("directory", mount) not in on_volume.kinds()  # a local volume is a link: refused
    assert f"dir {mount}" in on_volume.find("file", str(_conf(on_volume))).properties["content"]
    plain = run_recipe("redis::configure", _config(tmp_path, "redis"))
    assert any(kind == "directory" and name.endswith("redis/data") for kind, name in plain.kinds())


def _conf(declared: Any) -> str:
    (found,) = [name for kind, name in declared.kinds() if kind == "file"]
    return found
