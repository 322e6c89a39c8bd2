"""The plone_instances cookbook's buildout build on real local instances: the sample buildout
(examples/plone/project-buildout) deployed against a real ZEO server serves a Plone site from
two supervised clients; the same deploy again builds nothing; a changed attribute re-runs
buildout in the same release and restarts the clients on the new settings.

The eggs live in one cache shared across runs (`~/.cache/stackworks-test-buildout`, or
STACKWORKS_TEST_BUILDOUT_CACHE): about 7 minutes the first time on 2 shared cores, 1.5 to 3.5
after that (by the machine's load), of which buildout is some 20 s; the rest is the ZEO
server's install, the site's creation and four Plone client starts (docs/plone.md has the
build's figures).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from integration.cookbooks.cookbook_instances import Instance, project_repository
from integration.cookbooks.test_plone_zeo import configuration, request, run, serving
from support.processes import port_accepts, wait_until

# a cold egg cache on a loaded machine takes 9 minutes and more of buildout alone
pytestmark = [pytest.mark.integration, pytest.mark.plone, pytest.mark.timeout(1200)]

PROJECT = Path(__file__).resolve().parents[3] / "examples" / "plone" / "project-buildout"
CACHE = Path(
    os.environ.get("STACKWORKS_TEST_BUILDOUT_CACHE")
    or Path.home() / ".cache" / "stackworks-test-buildout"
)
ZEO_PORT = 18440
BASE_PORT = 18450


def attributes(**plone: Any) -> dict[str, Any]:
    return {
        "zeoserver": {"port": ZEO_PORT},
        "plone_instances": {
            "instance_count": 2,
            "base_port": BASE_PORT,
            "buildout_cache_dir": str(CACHE),
            **plone,
        },
    }


def stack_config(me: Instance, stack: list[Instance], repo: Path, **plone: Any) -> dict[str, Any]:
    config = configuration(me, stack, repo)
    config["attributes"] = attributes(**plone)
    return config


def changed(report: Any) -> list[str]:
    return [r.name for r in report.resources if r.status == "changed"]


def test_a_buildout_app_serves_plone_and_rebuilds_only_when_its_deploy_cfg_changes(
    make_instance: Callable[[str, str, list[str]], Instance], tmp_path: Path
) -> None:
    zeo = make_instance("zeo1", "127.77.211.1", ["zeoserver"])
    plone = make_instance("plone1", "127.77.211.2", ["plone_instances"])
    stack = [zeo, plone]
    repo = project_repository(PROJECT, tmp_path / "plone-buildout", "a Plone 6 buildout")
    CACHE.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []

    run(["zeoserver::setup"], stack_config(zeo, stack, repo), lines)
    assert port_accepts(zeo.private_ip, ZEO_PORT)

    first = run(
        ["plone_instances::setup", "plone_instances::deploy"],
        stack_config(plone, stack, repo),
        lines,
    )
    assert any(name.startswith("buildout of plone_instances") for name in changed(first))
    app = Path(plone.roots["srv"]) / "www/plone_instances"
    release = app / "current"
    deploy_cfg = (release / "deploy.cfg").read_text()
    assert f"http-address = {plone.private_ip}:{BASE_PORT + 1}" in deploy_cfg
    assert f"zeo-address = {zeo.private_ip}:{ZEO_PORT}" in deploy_cfg
    one, two = BASE_PORT + 1, BASE_PORT + 2
    for port in (one, two):
        assert serving(plone.private_ip, port)
    status, site = request(plone.private_ip, two, "GET", "/Plone")
    assert status == 200 and site.get("@type") == "Plone Site", site
    assert "PLONE_ADMIN_PASSWORD" not in deploy_cfg and "plone-test-secret" not in deploy_cfg

    again = run(["plone_instances::deploy"], stack_config(plone, stack, repo), lines)
    assert changed(again) == []
    assert any("same commit and deploy.cfg: nothing to build" in line for line in lines)

    built = release.resolve()
    rebuilt = run(
        ["plone_instances::deploy"],
        stack_config(plone, stack, repo, zodb_cache_size=12345),
        lines,
    )
    assert release.resolve() == built  # the same release, built again in place
    names = changed(rebuilt)
    assert any(name.startswith("buildout in place of plone_instances") for name in names)
    assert "plone_instances-client1" in names and "plone_instances-client2" in names
    zope_conf = (release / "parts/client1/etc/zope.conf").read_text()
    assert "cache-size 12345" in zope_conf
    for port in (one, two):
        wait_until(lambda p=port: serving(plone.private_ip, p), timeout=120, what=f"port {port}")
    status, _ = request(plone.private_ip, one, "GET", "/Plone")
    assert status == 200
