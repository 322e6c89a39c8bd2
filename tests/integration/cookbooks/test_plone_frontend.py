"""The plone-frontend layer on a real local instance: nginx -> Varnish -> HAProxy -> clients.

No Plone here (too slow to build): `echo_clients.py` poses as the two ZEO clients of a
plone-instances instance and echoes each request's path, so the test sees nginx's
VirtualHostMonster rewrite, Varnish's hits and misses (`X-Cache`) and HAProxy's servers. The
front end runs the layer type's own setup run list with the real converge engine, nginx,
varnishd and HAProxy under the instance's supervisord.
"""

from __future__ import annotations

import http.client
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from integration.cookbooks.cookbook_instances import COOKBOOKS, Instance, configuration
from stackworks.converge import run_recipes
from stackworks.domain.layer_types import DEFAULT_RECIPES
from stackworks.domain.status import LayerType
from support.processes import end_session, port_accepts, wait_until

pytestmark = pytest.mark.integration

CLIENTS_IP = "127.77.214.1"
FRONT_IP = "127.77.214.2"
NGINX_PORT = 18380
VARNISH_PORT = 6081  # the cookbook defaults, on this instance's own address
HAPROXY_PORT = 8080  # the plone-frontend layer type's default
ATTRIBUTES: dict[str, Any] = {
    "plone_instances": {"instance_count": 2, "base_port": 18300},
    "haproxy": {"check_interval": 300, "rise": 1, "fall": 1},
    "nginx": {"port": NGINX_PORT},
}
ECHO = Path(__file__).with_name("echo_clients.py")


def request(
    path: str,
    *,
    method: str = "GET",
    host: str = FRONT_IP,
    port: int = NGINX_PORT,
    headers: dict[str, str] | None = None,
    source: str | None = None,
) -> tuple[int, str, str]:
    """(status, X-Cache, body) of one request over loopback."""
    connection = http.client.HTTPConnection(
        host, port, timeout=5, source_address=(source, 0) if source else None
    )
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("X-Cache") or "", response.read().decode()
    finally:
        connection.close()


def listening(ports: set[int]) -> set[str]:
    """`address:port` of the listening TCP sockets on one of `ports` that are this instance's
    or wildcard ones (from `ss`); other tests' instances have addresses of their own."""
    done = subprocess.run(["ss", "-Hltn"], capture_output=True, text=True, timeout=10, check=True)
    found = set()
    for line in done.stdout.splitlines():
        local = line.split()[3]
        address, port = local.rsplit(":", 1)
        if int(port) in ports and address in {FRONT_IP, "0.0.0.0", "*", "[::]"}:
            found.add(local)
    return found


def front_configuration(front: Instance, attributes: dict[str, Any]) -> dict[str, Any]:
    """The stack as the front end sees it: a plone-instances layer with one online instance
    (the echo clients) and the plone-frontend layer; an app with a domain."""
    config = configuration(front, [], repo_url="file:///unused", attributes=attributes)
    clients = {
        "id": "id-plone1",
        "hostname": "plone1",
        "private_ip": CLIENTS_IP,
        "status": "online",
        "layers": ["plone_instances"],
    }
    config["layers"] = {
        "plone_instances": {
            "id": "l-p",
            "name": "Plone",
            "type": "plone-instances",
            "instances": {"plone1": clients},
        },
        "lb": {"id": "l-f", "name": "Front", "type": "plone-frontend", "instances": {}},
    }
    config["layers"]["lb"]["instances"]["lb1"] = front.describe()
    config["instances"] = {"plone1": clients, "lb1": front.describe()}
    config["apps"]["shop"]["domains"] = ["www.example.test"]
    return config


def run(run_list: list[str] | tuple[str, ...], config: dict[str, Any]) -> Any:
    lines: list[str] = []
    report = run_recipes(list(run_list), config, cookbook_paths=[COOKBOOKS], log=lines.append)
    assert report.ok, f"{report.error}\n" + "\n".join(lines[-30:])
    return report


@pytest.fixture
def echo_clients() -> Iterator[None]:
    """The two "ZEO clients": ports base_port+1 and +2 of the plone-instances instance."""
    process = subprocess.Popen(
        [sys.executable, str(ECHO), CLIENTS_IP, "18301", "18302"], start_new_session=True
    )
    try:
        wait_until(lambda: port_accepts(CLIENTS_IP, 18302), timeout=10, what="echo clients")
        yield
    finally:
        end_session(process.pid)
        process.wait(timeout=10)


def test_front_end_caches_anonymous_pages_purges_them_and_rewrites_to_the_site(
    make_instance: Callable[[str, str, list[str]], Instance], echo_clients: None
) -> None:
    front = make_instance("lb1", FRONT_IP, ["lb"])
    config = front_configuration(front, ATTRIBUTES)
    run(DEFAULT_RECIPES[LayerType.PLONE_FRONTEND]["setup"], config)

    etc = Path(front.roots["etc"])
    haproxy_cfg = (etc / "haproxy/haproxy.cfg").read_text()
    assert f"bind {FRONT_IP}:{HAPROXY_PORT}\n" in haproxy_cfg
    assert f"server plone1-1 {CLIENTS_IP}:18301 check" in haproxy_cfg
    assert f"server plone1-2 {CLIENTS_IP}:18302 check" in haproxy_cfg
    assert "http-check send meth HEAD uri /\n" in haproxy_cfg

    # through nginx, Varnish and HAProxy; nginx rewrote the path for Zope's VirtualHostMonster
    wait_until(
        lambda: port_accepts(FRONT_IP, NGINX_PORT) and request("/front-page")[0] == 200,
        timeout=20,
        what="nginx -> varnish -> haproxy -> clients",
    )
    status, _cache, body = request("/news/?b_start=10")
    assert status == 200
    assert (
        f"path=/VirtualHostBase/http/{FRONT_IP}:{NGINX_PORT}/Plone/VirtualHostRoot/news/?b_start=10"
        in body
    )
    # an app's domain has its server block; the rewrite names the host asked for
    _status, _cache, body = request("/about", headers={"Host": "www.example.test"})
    assert (
        f"/VirtualHostBase/http/www.example.test:{NGINX_PORT}/Plone/VirtualHostRoot/about" in body
    )
    # nginx writes its access line after the response has gone out: wait for it, then count
    shop_log = Path(front.roots["log"]) / "nginx-shop-access.log"
    wait_until(
        lambda: shop_log.exists() and "/about" in shop_log.read_text(),
        timeout=5,
        what="the shop's access log line",
    )
    assert shop_log.read_text().count("/about") == 1

    # a second anonymous GET is a hit; a logged-in one (Plone's __ac cookie) never is
    assert request("/front-page")[1] == "HIT"
    assert request("/keep")[1] == "MISS"
    assert request("/keep")[1] == "HIT"
    for _ in range(2):
        _status, cache, body = request("/front-page", headers={"Cookie": "__ac=abc"})
        assert cache == "MISS" and " cookie" in body
    _status, _cache, body = request("/anon-cookies", headers={"Cookie": "_ga=1"})
    assert "no-cookie" in body  # other cookies do not reach the backend nor split the cache

    # PURGE is refused from clients (by nginx, and by Varnish's ACL); allowed from the instance
    assert request("/keep", method="PURGE")[0] == 405
    assert request("/keep", method="PURGE", port=VARNISH_PORT)[0] == 405  # from 127.0.0.1
    assert request("/keep")[1] == "HIT"

    # varnish::purge bans the URLs matching its regexps, nothing else
    purge = front_configuration(front, {**ATTRIBUTES, "varnish": {"purge_urls": ["/front-page$"]}})
    run(["varnish::purge"], purge)
    assert request("/front-page")[1] == "MISS"
    assert request("/front-page")[1] == "HIT"
    assert request("/keep")[1] == "HIT"

    # configure again: nothing changes; a changed VCL is loaded without a restart, cache kept
    again = run(DEFAULT_RECIPES[LayerType.PLONE_FRONTEND]["configure"], config)
    assert [r.name for r in again.resources if r.status == "changed"] == []
    pid = front.supervisorctl("pid", "varnish").strip()
    changed = front_configuration(
        front, {**ATTRIBUTES, "varnish": {"pass_cookies": ["__ac", "session"]}}
    )
    report = run(["varnish::configure"], changed)
    assert "load the VCL into varnishd" in [
        r.name for r in report.resources if r.status == "changed"
    ]
    assert front.supervisorctl("pid", "varnish").strip() == pid
    assert request("/keep")[1] == "HIT"
    assert request("/front-page", headers={"Cookie": "session=1"})[1] == "MISS"
    assert request("/front-page", headers={"Cookie": "session=1"})[1] == "MISS"

    # a new app domain: nginx.conf checked, nginx reloaded with HUP (same master), served
    nginx_pid = front.supervisorctl("pid", "nginx").strip()
    wider = front_configuration(front, ATTRIBUTES)
    wider["apps"]["shop"]["domains"] = ["www.example.test", "new.example.test"]
    report = run(["nginx::configure"], wider)
    changed = [r.name for r in report.resources if r.status == "changed"]
    assert changed == [f"{front.roots['etc']}/nginx/nginx.conf", "nginx"]  # the file, the HUP
    wait_until(
        lambda: (
            request("/x", headers={"Host": "new.example.test"})[0] == 200
            and "/x HTTP" in shop_log.read_text()
        ),
        timeout=10,
        what="nginx reload",
    )
    assert front.supervisorctl("pid", "nginx").strip() == nginx_pid

    # every listening socket is on the instance's own address, none on 0.0.0.0
    ports = {NGINX_PORT, VARNISH_PORT, VARNISH_PORT + 1, HAPROXY_PORT}
    assert listening(ports) == {f"{FRONT_IP}:{port}" for port in ports}

    # shutdown stops all three; their ports close
    run(DEFAULT_RECIPES[LayerType.PLONE_FRONTEND]["shutdown"], config)
    wait_until(lambda: not listening(ports), timeout=15, what="front end stopped")
    assert "Assert error" not in (Path(front.roots["log"]) / "varnish.log").read_text()
