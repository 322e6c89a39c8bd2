"""haproxy.cfg rendering: backends from the stack, settings checked, and HAProxy's own verdict."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.haproxy import config
from stackworks.cookbooks.haproxy.attributes import DEFAULTS

HAPROXY = shutil.which("haproxy", path="/usr/sbin:/usr/bin:/usr/local/sbin")


def _layers() -> dict[str, Any]:
    return {
        "web": {
            "type": "python-app",
            "instances": {
                "web2": {"hostname": "web2", "private_ip": "10.0.0.2", "status": "online"},
                "web1": {"hostname": "web1", "private_ip": "10.0.0.1", "status": "online"},
            },
        },
        "api": {
            "type": "python-app",
            "instances": {"web1": {"hostname": "web1", "private_ip": "10.0.0.1"}},
        },
        "jobs": {"type": "custom", "instances": {"jobs1": {"private_ip": "10.0.0.9"}}},
        "lb": {"type": "lb", "instances": {"lb1": {"private_ip": "10.0.0.10"}}},
    }


def _settings(**overrides: Any) -> dict[str, Any]:
    return {**DEFAULTS["haproxy"], **overrides}


def test_every_python_app_layer_is_a_backend_by_default() -> None:
    assert config.backend_layers(_layers(), None) == ["api", "web"]
    assert config.backend_layers(_layers(), ["jobs"]) == ["jobs"]
    with pytest.raises(config.ConfigError, match="backend_layers: no layer named nope"):
        config.backend_layers(_layers(), ["nope"])


def test_each_instance_contributes_one_server_per_web_copy_once() -> None:
    servers = config.backend_servers(_layers(), None, {"instance_count": 2, "base_port": 7000})
    assert servers == [
        config.Server("web1-1", "10.0.0.1", 7001),
        config.Server("web1-2", "10.0.0.1", 7002),
        config.Server("web2-1", "10.0.0.2", 7001),
        config.Server("web2-2", "10.0.0.2", 7002),
    ]


def test_process_count_defaults_to_per_cpu_times_cpu_count() -> None:
    servers = config.backend_servers(_layers(), ["web"], {}, cpu_count=3)
    assert len(servers) == 2 * 2 * 3
    assert servers[0].port == 8001


def test_rendered_config_binds_private_ip_and_lists_servers() -> None:
    servers = [config.Server("web1-1", "10.0.0.1", 8001)]
    text = config.render_haproxy_config(_settings(port=18080), bind_ip="10.0.0.10", servers=servers)
    assert "bind 10.0.0.10:18080\n" in text
    assert "balance leastconn\n" in text
    assert "http-check send meth OPTIONS uri /\n" in text
    assert "default-server inter 2000 rise 2 fall 3\n" in text
    assert "    server web1-1 10.0.0.1:8001 check\n" in text
    assert "stats" not in text
    assert "cookie" not in text


def test_retries_and_redispatch_follow_the_attributes() -> None:
    servers = [config.Server("web1-1", "10.0.0.1", 8001)]
    default = config.render_haproxy_config(_settings(), bind_ip="10.0.0.10", servers=servers)
    assert "    retries 3\n" in default and "option redispatch" in default
    bare = config.render_haproxy_config(
        _settings(retries=0, redispatch=False), bind_ip="10.0.0.10", servers=servers
    )
    assert "    retries 0\n" in bare and "redispatch" not in bare
    with pytest.raises(config.ConfigError, match=r"haproxy\.retries"):
        config.render_haproxy_config(_settings(retries=-1), bind_ip="10.0.0.10", servers=servers)


def test_requests_that_reached_a_dying_server_are_retried_only_when_repeating_is_harmless() -> None:
    servers = [config.Server("web1-1", "10.0.0.1", 8001)]
    default = config.render_haproxy_config(_settings(), bind_ip="10.0.0.10", servers=servers)
    assert "retry-on conn-failure empty-response response-timeout\n" in default
    assert "http-request disable-l7-retry unless METH_GET || METH_OPTIONS" in default
    connect_only = config.render_haproxy_config(
        _settings(retry_on=["conn-failure"]), bind_ip="10.0.0.10", servers=servers
    )
    assert "retry-on conn-failure\n" in connect_only and "disable-l7-retry" not in connect_only
    as_recipes_see_it = config.render_haproxy_config(  # attribute views make lists tuples
        _settings(retry_on=("conn-failure",)), bind_ip="10.0.0.10", servers=servers
    )
    assert "retry-on conn-failure\n" in as_recipes_see_it
    bare = config.render_haproxy_config(_settings(retries=0), bind_ip="10.0.0.10", servers=servers)
    assert "retry-on" not in bare
    with pytest.raises(config.ConfigError, match=r"haproxy\.retry_on"):
        config.render_haproxy_config(
            _settings(retry_on=["all; rm -rf /"]), bind_ip="10.0.0.10", servers=servers
        )


def test_stats_page_appears_only_with_a_password_and_sticky_sessions_use_a_cookie() -> None:
    text = config.render_haproxy_config(
        _settings(stats_password="pw", sticky_sessions=True),
        bind_ip="10.0.0.10",
        servers=[config.Server("web1-1", "10.0.0.1", 8001)],
    )
    assert "stats uri /haproxy?stats\n" in text
    assert "stats auth stackworks:pw\n" in text
    assert "cookie STACKWORKS insert indirect nocache\n" in text
    assert "server web1-1 10.0.0.1:8001 check cookie web1-1\n" in text


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"balance": "fastest"}, "haproxy.balance"),
        ({"port": 70000}, "haproxy.port"),
        ({"health_check_url": "/ok\nbackend evil"}, "haproxy.health_check_url"),
        ({"timeouts": {"connect": "5 s", "client": "1s", "server": "1s"}}, "timeouts.connect"),
    ],
)
def test_unsafe_setting_is_refused_naming_the_attribute(
    overrides: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(config.ConfigError, match=fragment):
        config.render_haproxy_config(_settings(**overrides), bind_ip="10.0.0.10", servers=[])


def test_refused_password_is_not_echoed() -> None:
    with pytest.raises(config.ConfigError) as caught:
        config.render_haproxy_config(
            _settings(stats_password="has space"), bind_ip="10.0.0.10", servers=[]
        )
    assert "has space" not in str(caught.value)


@pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed")
@pytest.mark.parametrize("sticky", [False, True])
def test_haproxy_accepts_the_rendered_config(tmp_path: Path, sticky: bool) -> None:
    servers = config.backend_servers(_layers(), None, {"instance_count": 2})
    text = config.render_haproxy_config(
        _settings(stats_password="pw", sticky_sessions=sticky), bind_ip="127.0.0.1", servers=servers
    )
    path = tmp_path / "haproxy.cfg"
    path.write_text(text)
    assert HAPROXY is not None
    done = subprocess.run(
        [HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_an_elastic_ip_is_bound_beside_the_private_address_once() -> None:
    text = config.render_haproxy_config(
        _settings(port=8080), bind_ip="10.0.0.10", servers=[], also_bind=["10.9.9.9", "10.0.0.10"]
    )
    assert text.count("    bind ") == 2
    assert "bind 10.0.0.10:8080\n    bind 10.9.9.9:8080\n" in text


def _plone_layers() -> dict[str, Any]:
    return {
        "plone_instances": {
            "type": "plone-instances",
            "instances": {
                "plone2": {"hostname": "plone2", "private_ip": "10.0.1.2", "status": "online"},
                "plone1": {"hostname": "plone1", "private_ip": "10.0.1.1", "status": "online"},
                "plone3": {"hostname": "plone3", "private_ip": "10.0.1.3", "status": "stopping"},
            },
        },
        "web": _layers()["web"],
        "lb": {"type": "plone-frontend", "instances": {}},
    }


def test_a_plone_frontend_serves_every_zeo_client_of_the_online_plone_instances() -> None:
    default_type = config.default_backend_type({"plone-frontend"})
    servers = config.backend_servers(
        _plone_layers(),
        None,
        {"instance_count": 5},
        plone_instances={"instance_count": 2, "base_port": 9080},
        default_type=default_type,
    )
    assert servers == [
        config.Server("plone1-1", "10.0.1.1", 9081),
        config.Server("plone1-2", "10.0.1.1", 9082),
        config.Server("plone2-1", "10.0.1.2", 9081),
        config.Server("plone2-2", "10.0.1.2", 9082),
    ]


def test_zeo_clients_default_to_two_per_cpu_from_port_8081() -> None:
    servers = config.backend_servers(
        _plone_layers(), ["plone_instances"], {}, cpu_count=3, plone_instances={}
    )
    assert [s.port for s in servers if s.name.startswith("plone1-")] == list(range(8081, 8087))
    four_cpus = config.backend_servers(
        _plone_layers(), ["plone_instances"], {}, cpu_count=3, plone_instances={"cpu_count": 4}
    )
    assert len([s for s in four_cpus if s.name.startswith("plone1-")]) == 8


def test_an_lb_instance_keeps_serving_python_app_layers_on_port_80() -> None:
    servers = config.backend_servers(_plone_layers(), None, {"instance_count": 1})
    assert {s.name for s in servers} == {"web1-1", "web2-1"}
    assert config.listen_port(_settings(), {"lb"}) == 80
    assert config.listen_port(_settings(), {"plone-frontend"}) == 8080
    assert config.listen_port(_settings(port=9000), {"plone-frontend"}) == 9000


def test_plone_backends_are_checked_as_plone_instances_says_and_sticky_sessions_prefix_ac() -> None:
    check = config.backend_health_check(
        _settings(),
        _plone_layers(),
        None,
        {"health_check_url": "/misc_/CMFPlone/plone_icon"},
        config.default_backend_type({"plone-frontend"}),
    )
    assert check == config.HealthCheck("HEAD", "/misc_/CMFPlone/plone_icon", "plone_instances")
    text = config.render_haproxy_config(
        _settings(sticky_sessions=True),
        bind_ip="10.0.0.10",
        servers=[config.Server("plone1-1", "10.0.1.1", 8081)],
        own_types={"plone-frontend"},
        health_check=check,
    )
    assert "bind 10.0.0.10:8080\n" in text
    assert "http-check send meth HEAD uri /misc_/CMFPlone/plone_icon\n" in text
    assert "cookie __ac prefix nocache\n" in text and "STACKWORKS" not in text
    assert "server plone1-1 10.0.1.1:8081 check cookie plone1-1\n" in text


def test_plone_and_other_layers_cannot_share_the_one_backend() -> None:
    with pytest.raises(config.ConfigError, match=r"haproxy\.backend_layers: plone-instances"):
        config.backend_health_check(_settings(), _plone_layers(), ["plone_instances", "web"])


@pytest.mark.parametrize(
    ("plone_instances", "fragment"),
    [
        ({"health_check_url": "/ok now"}, r"plone_instances\.health_check_url"),
        ({"health_check_method": ""}, r"plone_instances\.health_check_method"),
    ],
)
def test_a_bad_plone_health_check_is_refused_naming_the_attribute(
    plone_instances: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(config.ConfigError, match=fragment):
        config.backend_health_check(
            _settings(), _plone_layers(), ["plone_instances"], plone_instances
        )


@pytest.mark.parametrize(
    ("plone_instances", "fragment"),
    [
        ({"base_port": "eighty"}, r"plone_instances\.base_port"),
        ({"instance_count": 0}, r"plone_instances\.instance_count"),
        ({"instance_count": None, "per_cpu": -1}, r"plone_instances\.per_cpu"),
        ({"cpu_count": "many"}, r"plone_instances\.cpu_count"),
        ({"base_port": 65530, "instance_count": 8}, r"plone_instances\.base_port"),
    ],
)
def test_bad_zeo_client_counts_or_ports_are_refused_naming_the_attribute(
    plone_instances: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ValueError, match=fragment):
        config.backend_servers(
            _plone_layers(), ["plone_instances"], {}, 2, plone_instances=plone_instances
        )


@pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed")
def test_haproxy_accepts_the_plone_frontend_config(tmp_path: Path) -> None:
    layers = _plone_layers()
    servers = config.backend_servers(layers, ["plone_instances"], {}, 1, plone_instances={})
    check = config.backend_health_check(_settings(), layers, ["plone_instances"], {})
    text = config.render_haproxy_config(
        _settings(stats_password="pw", sticky_sessions=True),
        bind_ip="127.0.0.1",
        servers=servers,
        own_types={"plone-frontend"},
        health_check=check,
    )
    path = tmp_path / "haproxy.cfg"
    path.write_text(text)
    assert HAPROXY is not None
    done = subprocess.run(
        [HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
