"""What the nginx and varnish recipes declare on a plone-frontend instance (declared with
stackworks.testing, not run; tests/integration/cookbooks/test_plone_frontend.py runs them for
real)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stackworks.domain.layer_types import DEFAULT_RECIPES
from stackworks.domain.status import LayerType
from stackworks.testing import RecipeFailed
from stackworks.testing import run_recipe as run


def _configuration(tmp_path: Path, attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    me = {"hostname": "lb1", "private_ip": "127.77.0.9", "status": "online", "layers": ["lb"]}
    return {
        "stackworks": {"service_manager": "supervisor"},
        "attributes": attributes or {},
        "stack": {"id": "s", "name": "demo"},
        "layers": {
            "lb": {"type": "plone-frontend", "instances": {"lb1": me}},
            "plone_instances": {"type": "plone-instances", "instances": {}},
        },
        "apps": {"site": {"domains": ["www.example.org"]}},
        "self": {
            **me,
            "roots": {k: str(tmp_path / k) for k in ("etc", "var", "run", "log", "srv")},
        },
    }


def test_the_layer_type_sets_up_and_configures_all_three_and_deploys_haproxy_only() -> None:
    recipes = DEFAULT_RECIPES[LayerType.PLONE_FRONTEND]
    assert recipes["configure"] == ("haproxy::configure", "varnish::configure", "nginx::configure")
    assert set(recipes["configure"]) <= set(recipes["setup"])
    assert recipes["deploy"] == ("haproxy::configure",)
    assert "varnish::restart" in recipes["restart"]


def test_nginx_checks_its_config_with_nginx_t_and_reloads_with_hup(tmp_path: Path) -> None:
    r = run("nginx::configure", _configuration(tmp_path))
    conf = r.find("file", "nginx/nginx.conf")
    assert conf.properties["verify"][1:3] == ["-t", "-q"]
    assert conf.properties["verify"][-2:] == ["-c", "{path}"]
    assert "listen 127.77.0.9:80 default_server;" in conf.properties["content"]
    assert "server 127.77.0.9:6081;" in conf.properties["content"]
    assert "server_name www.example.org;" in conf.properties["content"]
    service = r.find("service", "nginx")
    assert service.properties["command"][-2:] == ["-g", "daemon off;"]
    assert service.properties["reload_signal"] == "HUP"
    assert [(n.action, n.target) for n in conf.notifications] == [("reload", service)]


def test_varnish_compiles_its_vcl_first_and_loads_a_changed_one_without_restarting(
    tmp_path: Path,
) -> None:
    r = run("varnish::configure", _configuration(tmp_path))
    vcl_file = r.find("file", "varnish/default.vcl")
    assert "-C" in vcl_file.properties["verify"] and vcl_file.properties["verify"][-1] == "{path}"
    assert '.port = "8080";' in vcl_file.properties["content"]  # the layer type's HAProxy port
    secret = r.find("file", "varnish/secret")
    assert secret.properties["mode"] == 0o600 and secret.properties["sensitive"] is True
    service = r.find("service", "varnish")
    assert service.properties["command"][1:4] == ["-F", "-a", "127.77.0.9:6081"]
    assert "-j" in service.properties["command"]  # one user in a local instance's tree
    load = r.find("execute", "load the VCL into varnishd")
    assert load.properties["action"] == ("nothing",)
    assert load.properties["command"][2:5] == [
        "stackworks.cookbooks.varnish.admin",
        "reload",
        vcl_file.name,
    ]
    assert [(n.action, n.target) for n in vcl_file.notifications] == [("run", load)]


def test_the_admin_secret_is_kept_across_runs(tmp_path: Path) -> None:
    first = run("varnish::configure", _configuration(tmp_path)).find("file", "varnish/secret")
    path = Path(first.name)
    path.parent.mkdir(parents=True)
    path.write_text(first.properties["content"])
    again = run("varnish::configure", _configuration(tmp_path)).find("file", "varnish/secret")
    assert again.properties["content"] == first.properties["content"]


def test_purge_bans_each_listed_regexp(tmp_path: Path) -> None:
    config = _configuration(tmp_path, {"varnish": {"purge_urls": ["/news$", r"\.css$"]}})
    r = run("varnish::purge", config)
    bans = r.all("execute")
    assert [d.properties["command"][5:] for d in bans] == [
        ["ban", "req.url", "~", '"/news$"'],
        ["ban", "req.url", "~", '"\\\\.css$"'],
    ]


def test_a_bad_purge_regexp_fails_the_recipe_naming_the_item(tmp_path: Path) -> None:
    config = _configuration(tmp_path, {"varnish": {"purge_urls": ["/ok", "[unclosed"]}})
    with pytest.raises(RecipeFailed, match=r"varnish\.purge_urls\[1\]"):
        run("varnish::purge", config)
