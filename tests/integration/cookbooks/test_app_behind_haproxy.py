"""The built-in recipes on real instances: gunicorn copies under supervisord, HAProxy in front.

Each test runs recipes with the real converge engine against a hand-made configuration, on tmp
instance roots with their own supervisord. Deploys install gunicorn from PyPI through the
shared pip cache, so the tests keep their number of deploys small.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from integration.cookbooks.cookbook_instances import COOKBOOKS, Instance, commit, configuration
from stackworks.converge import run_recipes
from support.processes import port_accepts, wait_until

pytestmark = pytest.mark.integration

APP_ATTRIBUTES: dict[str, Any] = {
    "python_app": {"instance_count": 2, "base_port": 18000},
    "haproxy": {"port": 18080, "check_interval": 300, "rise": 1, "fall": 1},
}


def get(host: str, port: int, path: str = "/") -> tuple[int, str]:
    """One HTTP GET over loopback (http.client: no proxy from the environment is used)."""
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def run(run_list: list[str], config: dict[str, Any], lines: list[str] | None = None) -> Any:
    sink = lines if lines is not None else []
    return run_recipes(run_list, config, cookbook_paths=[COOKBOOKS], log=sink.append)


def serves(host: str, port: int, text: str) -> bool:
    if not port_accepts(host, port):
        return False
    try:
        status, body = get(host, port)
    except OSError:
        return False
    return status == 200 and text in body


def test_deployed_app_serves_each_copy_and_haproxy_balances_them(
    make_instance: Callable[[str, str, list[str]], Instance], sample_repo: Path
) -> None:
    web = make_instance("web1", "127.77.200.1", ["web"])
    lb = make_instance("lb1", "127.77.200.2", ["lb"])
    stack = [web, lb]
    lines: list[str] = []
    report = run(
        ["python_app::setup", "python_app::deploy"],
        configuration(web, stack, repo_url=str(sample_repo), attributes=APP_ATTRIBUTES),
        lines,
    )
    assert report.ok, report.error
    assert "top-secret-value" not in "\n".join(lines)
    for port in (18001, 18002):
        wait_until(lambda p=port: serves(web.private_ip, p, "web1"), timeout=20, what=f"{port}")
        _status, body = get(web.private_ip, port)
        assert f"<b id='port'>{port}</b>" in body
        assert "GREETING" in body and "API_TOKEN" not in body
    deploy_json = Path(web.roots["srv"]) / "www/shop/shared/deploy.json"
    assert json.loads(deploy_json.read_text())["environment"]["GREETING"] == "hello"
    assert deploy_json.stat().st_mode & 0o077 == 0

    again = run(
        ["python_app::deploy"],
        configuration(web, stack, repo_url=str(sample_repo), attributes=APP_ATTRIBUTES),
    )
    assert again.ok, again.error
    assert [r.name for r in again.resources if r.status == "changed"] == []

    lb_config = configuration(lb, stack, repo_url=str(sample_repo), attributes=APP_ATTRIBUTES)
    report = run(["haproxy::setup", "haproxy::configure"], lb_config)
    assert report.ok, report.error
    cfg = (Path(lb.roots["etc"]) / "haproxy/haproxy.cfg").read_text()
    assert "server web1-1 127.77.200.1:18001 check" in cfg
    assert "server web1-2 127.77.200.1:18002 check" in cfg
    wait_until(lambda: serves(lb.private_ip, 18080, "web1"), timeout=20, what="haproxy")
    seen = {get(lb.private_ip, 18080)[1].split("<b id='port'>")[1][:5] for _ in range(8)}
    assert seen == {"18001", "18002"}

    # web1 goes offline: the load balancer's next configure drops it and keeps serving (503).
    without_web = configuration(lb, [lb], repo_url=str(sample_repo), attributes=APP_ATTRIBUTES)
    report = run(["haproxy::configure"], without_web)
    assert report.ok, report.error
    cfg = (Path(lb.roots["etc"]) / "haproxy/haproxy.cfg").read_text()
    assert "web1-" not in cfg
    wait_until(lambda: get(lb.private_ip, 18080)[0] == 503, timeout=10, what="haproxy reload")


def test_failed_deploy_keeps_the_old_release_serving_and_rollback_returns_to_it(
    make_instance: Callable[[str, str, list[str]], Instance], sample_repo: Path
) -> None:
    web = make_instance("web2", "127.77.201.1", ["web"])
    attributes = {"python_app": {"instance_count": 1, "base_port": 18100}}
    config = configuration(web, [web], repo_url=str(sample_repo), attributes=attributes)
    assert run(["python_app::setup", "python_app::deploy"], config).ok
    wait_until(lambda: serves(web.private_ip, 18101, "web2"), timeout=20, what="first release")
    app_dir = Path(web.roots["srv"]) / "www/shop"
    first = (app_dir / "current").readlink()

    bad_url = configuration(
        web, [web], repo_url=str(sample_repo.parent / "missing"), attributes=attributes
    )
    report = run(["python_app::deploy"], bad_url)
    assert not report.ok
    assert "missing" in (report.error or "")
    assert (app_dir / "current").readlink() == first

    (sample_repo / "requirements.txt").write_text("./no-such-package-dir\n")
    commit(sample_repo, "broken requirements")
    report = run(["python_app::deploy"], config)
    assert not report.ok
    assert (app_dir / "current").readlink() == first
    assert serves(web.private_ip, 18101, "web2")

    (sample_repo / "requirements.txt").write_text("gunicorn>=21\n")
    wsgi = sample_repo / "wsgi.py"
    wsgi.write_text(wsgi.read_text().replace("Hello from", "Release two on"))
    commit(sample_repo, "second release")
    assert run(["python_app::deploy"], config).ok
    assert (app_dir / "current").readlink() != first
    wait_until(lambda: serves(web.private_ip, 18101, "Release two"), timeout=20, what="release 2")

    assert run(["python_app::rollback"], config).ok
    assert (app_dir / "current").readlink() == first
    wait_until(lambda: serves(web.private_ip, 18101, "Hello from"), timeout=20, what="rollback")

    undeploy = configuration(web, [web], repo_url=str(sample_repo), attributes=attributes)
    assert run(["python_app::undeploy"], undeploy).ok
    assert not app_dir.exists()
    wait_until(lambda: not port_accepts(web.private_ip, 18101), timeout=15, what="app stopped")
