"""The pure rules of the plone_instances cookbook: client count and ports, ZEO servers from the
stack, zope.conf and zope.ini, and the health check settings."""

from __future__ import annotations

from typing import Any

import pytest

from stackworks.cookbooks.plone_instances import config
from stackworks.cookbooks.plone_instances.attributes import DEFAULTS

SETTINGS: dict[str, Any] = dict(DEFAULTS["plone_instances"])


def test_instance_count_wins_over_per_cpu() -> None:
    assert config.client_count({"instance_count": 3, "per_cpu": 5}, cpu_count=8) == 3


def test_client_count_is_per_cpu_times_the_cpu_count() -> None:
    assert config.client_count({"per_cpu": 2}, cpu_count=4) == 8
    assert config.client_count({"per_cpu": 2, "cpu_count": 3}, cpu_count=4) == 6


@pytest.mark.parametrize(
    ("attributes", "named"),
    [
        ({"instance_count": 0}, "plone_instances.instance_count"),
        ({"instance_count": "two"}, "plone_instances.instance_count"),
        ({"per_cpu": True}, "plone_instances.per_cpu"),
        ({"per_cpu": 1, "cpu_count": -1}, "plone_instances.cpu_count"),
    ],
)
def test_a_bad_count_names_the_attribute(attributes: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        config.client_count(attributes, cpu_count=2)


def test_client_k_listens_on_base_port_plus_k() -> None:
    assert config.client_ports(8080, 3) == [8081, 8082, 8083]
    clients = config.clients("site", "/srv/www/site/shared/clients", [8081, 8082])
    assert [(c.name, c.service, c.port) for c in clients] == [
        ("client1", "site-client1", 8081),
        ("client2", "site-client2", 8082),
    ]
    assert clients[1].home == "/srv/www/site/shared/clients/client2"


def test_ports_past_65535_are_refused() -> None:
    with pytest.raises(ValueError, match=r"plone_instances\.base_port"):
        config.client_ports(65534, 2)


def test_zeo_servers_are_the_online_instances_of_the_zeo_layer_by_hostname() -> None:
    layers = {
        "zeoserver": {
            "instances": {
                "zeo2": {"private_ip": "127.77.0.2", "status": "online"},
                "zeo1": {"private_ip": "127.77.0.1", "status": "online"},
                "zeo3": {"private_ip": "127.77.0.3", "status": "stopping"},
            }
        }
    }
    assert config.zeo_servers(layers, "zeoserver", 8100) == ["127.77.0.1:8100", "127.77.0.2:8100"]
    assert config.zeo_servers(layers, "other", 8100) == []
    with pytest.raises(ValueError, match=r"zeoserver\.port"):
        config.zeo_servers(layers, "zeoserver", 70000)


def test_zope_conf_points_the_client_storage_at_every_zeo_server() -> None:
    text = config.render_zope_conf(
        {**SETTINGS, "zodb_cache_size": 50000, "zeo_client_cache_size": "256MB"},
        home="/h/client1",
        client_name="client1",
        servers=["127.77.0.1:8100", "127.77.0.2:8100"],
    )
    assert "%define INSTANCE /h/client1" in text
    assert "    server 127.77.0.1:8100\n    server 127.77.0.2:8100" in text
    assert "  cache-size 50000" in text and "    cache-size 256MB" in text
    assert "blob-dir /h/client1/var/blobcache" in text and "shared-blob-dir off" in text
    assert "    client client1" in text  # persistent cache on by default


def test_nfs_blobs_makes_a_shared_blob_dir_and_the_console_has_no_persistent_cache() -> None:
    text = config.render_zope_conf(
        {**SETTINGS, "nfs_blobs": "/srv/shared/blobs"},
        home="/h/console",
        client_name=None,
        servers=["127.77.0.1:8100"],
    )
    assert "blob-dir /srv/shared/blobs" in text and "shared-blob-dir on" in text
    assert "client " not in text


def test_persistent_cache_off_leaves_out_the_cache_file() -> None:
    text = config.render_zope_conf(
        {**SETTINGS, "persistent_cache": False},
        home="/h/client1",
        client_name="client1",
        servers=["127.77.0.1:8100"],
    )
    assert "client client1" not in text


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"zodb_cache_size": 0}, "plone_instances.zodb_cache_size"),
        ({"zeo_client_cache_size": "lots"}, "plone_instances.zeo_client_cache_size"),
        ({"nfs_blobs": "/a dir/with space"}, "plone_instances.nfs_blobs"),
    ],
)
def test_bad_client_settings_name_the_attribute(override: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        config.render_zope_conf(
            {**SETTINGS, **override}, home="/h", client_name="c", servers=["127.77.0.1:8100"]
        )


def test_no_zeo_server_online_is_an_error_saying_so() -> None:
    with pytest.raises(ValueError, match="no ZEO server is online"):
        config.render_zope_conf(SETTINGS, home="/h", client_name="c", servers=[])


def test_zope_ini_binds_the_private_address_with_zserver_threads() -> None:
    text = config.render_zope_ini(
        {**SETTINGS, "zserver_threads": 1}, home="/h/client2", host="127.77.0.9", port=8082
    )
    assert "zope_conf = /h/client2/etc/zope.conf" in text
    assert "host = 127.77.0.9\nport = 8082\nthreads = 1" in text
    assert "0.0.0.0" not in text
    with pytest.raises(ValueError, match=r"plone_instances\.zserver_threads"):
        config.render_zope_ini({"zserver_threads": 0}, home="/h", host="127.77.0.9", port=1)


def test_the_digest_follows_any_change_of_a_clients_files() -> None:
    assert config.digest("a", "b") == config.digest("a", "b")
    assert config.digest("a", "b") != config.digest("a", "c")
    assert config.digest("ab", "") != config.digest("a", "b")


def test_health_check_settings_are_checked() -> None:
    assert config.health_method("head") == "HEAD"
    assert config.health_path("/") == "/"
    with pytest.raises(ValueError, match=r"plone_instances\.health_check_method"):
        config.health_method("DELETE")
    with pytest.raises(ValueError, match=r"plone_instances\.health_check_url"):
        config.health_path("http://elsewhere/")


def test_the_site_singleton_is_the_first_online_instance_by_hostname() -> None:
    layers = {"plone": {"instances": {"p2": {"status": "online"}, "p1": {"status": "online"}}}}
    assert config.singleton(layers, "plone", "p1")
    assert not config.singleton(layers, "plone", "p2")
    assert config.singleton({}, "plone", "p9")


def test_restart_delay_defaults_to_what_haproxy_needs_to_see_a_client_up_again() -> None:
    checks = {"rise": 2, "check_interval": 2000}
    assert config.restart_delay({"restart_delay": None}, checks) == 6.0
    assert config.restart_delay({}, {"rise": 1, "check_interval": 500}) == 1.0
    assert config.restart_delay({"restart_delay": 0}, checks) == 0.0
    assert config.restart_delay({"restart_delay": 2.5}, checks) == 2.5
    for bad in (-1, "soon", True):
        with pytest.raises(ValueError, match=r"plone_instances\.restart_delay"):
            config.restart_delay({"restart_delay": bad}, checks)
    # no HAProxy in the stack: nothing to wait for, unless asked
    assert config.restart_delay({}, checks, front_end=False) == 0.0
    assert config.restart_delay({"restart_delay": 3}, checks, front_end=False) == 3.0
    with pytest.raises(ValueError, match=r"haproxy\.rise"):
        config.restart_delay({}, {"rise": 0, "check_interval": 2000})


def test_the_warm_up_page_is_the_site_root_unless_set_or_switched_off() -> None:
    assert config.warmup_path({"site_id": "Plone", "warmup_url": None}) == "/Plone"
    assert config.warmup_path({"site_id": "site", "warmup_url": "/site/news"}) == "/site/news"
    assert config.warmup_path({"warmup_url": ""}) is None
    with pytest.raises(ValueError, match=r"plone_instances\.warmup_url"):
        config.warmup_path({"warmup_url": "no-slash"})


def test_a_front_end_is_a_plone_frontend_or_lb_layer_with_instances() -> None:
    lb = {"type": "plone-frontend", "instances": {"lb1": {"status": "online"}}}
    zeo = {"type": "zeoserver", "instances": {"zeo1": {}}}
    assert config.has_front_end({"lb": lb, "zeoserver": zeo})
    assert not config.has_front_end({"lb": {**lb, "instances": {}}, "zeoserver": zeo})
    assert not config.has_front_end({"zeoserver": zeo})
