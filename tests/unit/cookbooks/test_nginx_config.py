"""nginx.conf rendering: the VirtualHostMonster rewrite, a server per app domain, every file
under the instance, values checked, and nginx's own verdict (`nginx -t`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.nginx import config
from stackworks.cookbooks.nginx.attributes import DEFAULTS

NGINX = shutil.which("nginx", path="/usr/sbin:/usr/bin:/usr/local/sbin")


def _roots(base: str = "/i") -> dict[str, str]:
    return {"etc": f"{base}/etc", "var": f"{base}/var", "run": f"{base}/run", "log": f"{base}/log"}


def _render(
    settings: dict[str, Any] | None = None,
    *,
    site_id: Any = "Plone",
    apps: dict[str, Any] | None = None,
    base: str = "/i",
    user: str | None = None,
) -> str:
    paths = config.layout(_roots(base))
    return config.render_nginx_config(
        {**DEFAULTS["nginx"], **(settings or {})},
        site_id=site_id,
        bind_ips=["127.0.0.1", "10.9.9.9", "127.0.0.1"],
        upstream="127.0.0.1:6081",
        paths=paths,
        sites=config.sites(apps or {}, paths.log_dir),
        user=user,
    )


def test_every_request_is_rewritten_to_the_site_and_passed_to_varnish() -> None:
    text = _render(site_id="Site2")
    assert (
        "proxy_pass http://varnish/VirtualHostBase/$scheme/$host:$server_port/Site2/VirtualHostRoot$request_uri;"
        in text
    )
    assert "upstream varnish {\n        server 127.0.0.1:6081;" in text
    assert (
        "listen 127.0.0.1:80 default_server;\n        listen 10.9.9.9:80 default_server;\n" in text
    )
    assert "return 405;" in text  # PURGE and BAN never reach Varnish from outside
    assert "0.0.0.0" not in text and "user " not in text


def test_runtime_files_live_under_the_instance_roots() -> None:
    text = _render()
    assert "pid /i/run/nginx.pid;\n" in text
    assert "error_log /i/log/nginx-error.log warn;\n" in text
    assert "access_log /i/log/nginx-access.log;\n" in text
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        assert f"{kind}_temp_path /i/var/nginx/tmp/{kind};\n" in text


def test_each_app_with_domains_gets_a_server_block_and_a_domain_is_served_once() -> None:
    apps = {
        "web": {"domains": ["www.example.org", "example.org"]},
        "blog": {"domains": ["blog.example.org", "EXAMPLE.org"]},
        "api": {"domains": []},
    }
    text = _render(apps=apps)
    assert "server_name blog.example.org EXAMPLE.org;\n" in text
    assert "server_name www.example.org;\n" in text
    assert "access_log /i/log/nginx-web-access.log;\n" in text
    assert text.count("VirtualHostRoot$request_uri") == 3


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"site_id": "Plone site"}, r"plone_instances\.site_id"),
        ({"site_id": None}, r"plone_instances\.site_id"),
        ({"apps": {"web": {"domains": ["bad domain;"]}}}, r"apps\.web\.domains"),
        ({"settings": {"port": "80"}}, r"nginx\.port"),
        ({"settings": {"worker_processes": 0}}, r"nginx\.worker_processes"),
        ({"settings": {"client_max_body_size": "1 g"}}, r"nginx\.client_max_body_size"),
        ({"user": "root; evil"}, r"nginx\.user"),
    ],
)
def test_a_value_that_cannot_go_into_nginx_conf_is_refused_naming_it(
    kwargs: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(config.NginxConfigError, match=fragment):
        _render(**kwargs)


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_nginx_accepts_the_rendered_config(tmp_path: Path) -> None:
    roots = _roots(str(tmp_path))
    for key in ("etc", "run", "log"):
        Path(roots[key]).mkdir(parents=True)
    Path(config.layout(roots).temp).mkdir(parents=True)
    text = _render(
        {"worker_processes": "auto"},
        apps={"web": {"domains": ["www.example.org", "*.example.org"]}},
        base=str(tmp_path),
    )
    path = tmp_path / "etc/nginx.conf"
    path.write_text(text.replace("10.9.9.9", "127.0.0.2"))
    assert NGINX is not None
    done = subprocess.run(
        [NGINX, "-t", "-q", "-p", f"{tmp_path}/", "-e", f"{tmp_path}/log/e.log", "-c", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
