"""The clients' storage section: RelStorage on PostgreSQL (from attributes or a registered
database), its blobs, the memcached servers it shares states through, and the checks that
name a bad attribute; the ZEO section stays what it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.plone_instances import config, storage
from stackworks.cookbooks.plone_instances.attributes import DEFAULTS
from stackworks.domain.attributes import deep_merge
from stackworks.testing import RecipeFailed, StackBuilder, run_recipe

SETTINGS = deep_merge(DEFAULTS["plone_instances"], {"enable_relstorage": True})
DB = storage.Database("db.internal", 5433, "plone", "zope", "pa$s'w\\rd")
REGISTERED = {
    "type": "database",
    "name": "zodb",
    "engine": "postgresql",
    "host": "10.0.0.9",
    "port": 5432,
    "database": "site",
    "user": "site",
    "password": "from-the-registry",
}


def test_relstorage_section_uses_the_postgresql_adapter_with_psycopg2_and_a_blob_cache() -> None:
    text = config.render_zope_conf(
        SETTINGS,
        home="/h/client1",
        client_name="client1",
        servers=[],
        relstorage=storage.RelStorage(DB, ("127.77.1.5:11211", "127.77.1.6:11211")),
    )
    assert "%import relstorage" in text and "<zeoclient>" not in text
    assert "  <relstorage>\n    name relstorage\n    keep-history true\n" in text
    assert "    blob-dir /h/client1/var/blobcache\n    shared-blob-dir false\n" in text
    assert "    blob-cache-size 512mb\n" in text
    assert "    cache-servers 127.77.1.5:11211 127.77.1.6:11211\n" in text
    assert "    cache-module-name memcache\n    cache-prefix plone\n" in text
    assert "    cache-local-dir $INSTANCE/var/relstorage-cache\n" in text  # persistent_cache
    assert "      driver psycopg2\n" in text
    # libpq quoting for ' and \, and $ doubled for ZConfig
    assert (
        "      dsn host='db.internal' port='5433' dbname='plone' user='zope' "
        "password='pa$$s\\'w\\\\rd'\n" in text
    )


def test_shared_blobs_with_relstorage_use_the_nfs_directory_and_no_blob_cache() -> None:
    settings = deep_merge(SETTINGS, {"nfs_blobs": "/srv/blobs", "persistent_cache": False})
    lines = storage.zodb_section(
        settings, home="/h", client_name="client1", servers=[], relstorage=storage.RelStorage(DB)
    )
    assert "    blob-dir /srv/blobs" in lines and "    shared-blob-dir true" in lines
    assert not any("blob-cache-size" in line or "cache-servers" in line for line in lines)
    assert not any("cache-local-dir" in line for line in lines)


def test_the_zeo_section_is_unchanged_without_relstorage() -> None:
    text = config.render_zope_conf(
        DEFAULTS["plone_instances"], home="/h", client_name="client1", servers=["127.77.1.1:8100"]
    )
    assert (
        "%import ZEO\n\n<zodb_db main>\n  mount-point /\n  cache-size 30000\n  <zeoclient>\n"
        in text
    )
    assert "    server 127.77.1.1:8100\n    storage 1\n" in text
    assert "    client client1\n  </zeoclient>\n</zodb_db>\n" in text


def test_the_database_comes_from_relstorage_db_attributes_first() -> None:
    attributes = {"relstorage": {"db": {"host": "pg", "dbname": "z", "user": "u", "password": "p"}}}
    apps = {"site": {"layers": ["plone"], "data_sources": [REGISTERED]}}
    assert storage.database(attributes, apps, ["plone"]) == storage.Database(
        "pg", 5432, "z", "u", "p"
    )


def test_the_database_is_a_registered_one_an_app_of_this_layer_uses() -> None:
    apps = {
        "other": {"layers": ["elsewhere"], "data_sources": [{**REGISTERED, "host": "wrong"}]},
        "site": {"layers": ["plone"], "data_sources": [REGISTERED]},
    }
    found = storage.database({}, apps, ["plone"])
    assert found == storage.Database("10.0.0.9", 5432, "site", "site", "from-the-registry")
    named = {"relstorage": {"data_source": "nope"}}
    with pytest.raises(ValueError, match=r"relstorage.data_source: .*'nope'"):
        storage.database(named, apps, ["plone"])


@pytest.mark.parametrize(
    ("db", "message"),
    [
        ({"host": "pg", "user": "u"}, r"relstorage.db.dbname: ''"),
        ({"host": "pg bad", "dbname": "z", "user": "u"}, r"relstorage.db.host"),
        ({"host": "pg", "dbname": "z", "user": "u", "port": 70000}, r"relstorage.db.port"),
        ({"host": "pg", "dbname": "z", "user": "u", "password": "a\nb"}, r"db.password: must be"),
    ],
)
def test_a_bad_database_attribute_is_named(db: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        storage.database({"relstorage": {"db": db}}, {}, [])


def test_no_database_at_all_says_where_one_can_come_from() -> None:
    with pytest.raises(ValueError, match=r"enable_relstorage: no database: set .*relstorage.db"):
        storage.database({}, {"site": {"layers": ["plone"], "data_sources": []}}, ["plone"])


def test_cache_servers_are_the_online_memcached_instances_or_the_fixed_list() -> None:
    layers = {
        "memcached": {
            "instances": {
                "mc2": {"private_ip": "127.77.1.7", "status": "online"},
                "mc1": {"private_ip": "127.77.1.6", "status": "online"},
                "mc3": {"private_ip": "127.77.1.8", "status": "stopping"},
            }
        }
    }
    assert storage.cache_servers({}, layers, 11300) == ["127.77.1.6:11300", "127.77.1.7:11300"]
    fixed = {"relstorage": {"cache_servers": ["cache.example:11211"]}}
    assert storage.cache_servers(fixed, layers, 11300) == ["cache.example:11211"]
    assert storage.cache_servers({"relstorage": {"cache_servers": []}}, layers, 1) == []
    with pytest.raises(ValueError, match=r"relstorage.cache_servers\[0\]: expected host:port"):
        storage.cache_servers({"relstorage": {"cache_servers": ["nohost"]}}, layers, 1)


def test_package_pins_must_be_exact_and_name_the_bad_one() -> None:
    assert storage.package_pins(SETTINGS)[0] == ("RelStorage", "4.3.0")
    with pytest.raises(ValueError, match=r"relstorage.packages\[1\]: expected name==version"):
        storage.package_pins({"relstorage": {"packages": ["a==1", "b>=2"]}})


def _stack(tmp_path: Path, **plone: Any) -> dict[str, Any]:
    return (
        StackBuilder("plone", root=tmp_path)
        .layer("plone_instances", type="plone-instances")
        .layer("memcached", type="memcached")
        .instance("plone1", layers=["plone_instances"], me=True)
        .instance("mc1", layers=["memcached"], private_ip="127.77.5.9")
        .app("site", layers=["plone_instances"], deploy=False, data_sources=[REGISTERED])
        .attributes(
            {
                "plone_instances": {"instance_count": 1, "enable_relstorage": True, **plone},
                "memcached": {"port": 11999},
            }
        )
        .build()
    )


def test_configure_writes_a_secret_zope_conf_and_installs_relstorage_into_the_release(
    tmp_path: Path, deployed: Path
) -> None:
    declared = run_recipe("plone_instances::configure", _stack(tmp_path))
    conf = declared.find("file", "clients/client1/etc/zope.conf")
    assert conf.properties["mode"] == 0o600 and conf.properties["sensitive"] is True
    assert "cache-servers 127.77.5.9:11999" in conf.properties["content"]
    assert "password='from-the-registry'" in conf.properties["content"]
    [install] = [d for d in declared.all("execute") if d.name.startswith("RelStorage packages")]
    assert "RelStorage[postgresql]==4.3.0" in install.properties["command"]
    assert install.properties["not_if"][0].endswith("/.venv/bin/python")
    assert "from-the-registry" not in declared.output()


def test_relstorage_without_a_database_fails_the_recipe_naming_the_attribute(
    tmp_path: Path, deployed: Path
) -> None:
    config_ = _stack(tmp_path)
    config_["apps"]["site"]["data_sources"] = []
    with pytest.raises(RecipeFailed, match=r"plone_instances\.enable_relstorage: no database"):
        run_recipe("plone_instances::configure", config_)
