"""What the plone_instances recipes declare, in which order: each client is followed by a
wait for its health check that runs only when that client (re)started, and a change of the
ZEO servers changes every client's definition (so configure restarts them one at a time)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from stackworks.testing import RecipeFailed
from stackworks.testing import run_recipe as run

RELEASE = "20260101T000000Z"


def _configuration(tmp_path: Path, zeo_ip: str | None) -> dict[str, Any]:
    me = {"hostname": "plone1", "private_ip": "127.77.9.2", "layers": ["plone_instances"]}
    zeo = {} if zeo_ip is None else {"zeo1": {"private_ip": zeo_ip, "status": "online"}}
    return {
        "attributes": {"plone_instances": {"instance_count": 2, "base_port": 9080}},
        "stack": {"name": "plone"},
        "layers": {
            "plone_instances": {"type": "plone-instances", "instances": {"plone1": me}},
            "zeoserver": {"type": "zeoserver", "instances": zeo},
        },
        "apps": {
            "site": {
                "layers": ["plone_instances"],
                "environment": {"PLONE_ADMIN_PASSWORD": "secret"},
                "deploy": False,
            }
        },
        "self": {**me, "roots": {"srv": str(tmp_path / "srv"), "etc": str(tmp_path / "etc")}},
    }


def test_clients_are_declared_one_after_the_other_each_followed_by_its_health_wait(
    tmp_path: Path, deployed: Path
) -> None:
    recorded = run("plone_instances::configure", _configuration(tmp_path, "127.77.9.1"))
    order = [(d.kind, d.name) for d in recorded.resources if d.kind in ("service", "execute")]
    assert order == [
        ("service", "site-client1"),
        ("execute", "wait for site-client1 to answer HEAD /"),
        ("service", "site-client2"),
        ("execute", "wait for site-client2 to answer HEAD /"),
        ("execute", "create the Plone site Plone unless the ZODB has it"),
    ]
    site = recorded.find("execute", "create the Plone site Plone unless the ZODB has it")
    assert site.properties["creates"].endswith("shared/clients/site-Plone.created")
    client1 = recorded.find("service", "site-client1")
    wait1 = recorded.find("execute", "wait for site-client1 to answer HEAD /")
    assert [(n.action, n.target) for n in client1.notifications] == [("run", wait1)]
    assert wait1.properties["action"] == ("nothing",)  # only when client 1 (re)started
    assert wait1.properties["command"][3:10] == [
        "127.77.9.2",
        "9081",
        "--method",
        "HEAD",
        "--path",
        "/",
        "--timeout",
    ]
    # then the site's root once; no front end in this stack, so no pause before client 2
    assert wait1.properties["command"][-4:] == ["--warm", "/Plone", "--settle", "0"]
    runwsgi = deployed / "releases" / RELEASE / ".venv/bin/runwsgi"
    assert client1.properties["command"][0] == str(runwsgi)
    conf = recorded.find("file", "client1/etc/zope.conf")
    assert "server 127.77.9.1:8100" in conf.properties["content"]


def test_with_a_front_end_each_client_waits_until_haproxy_can_count_it_up_again(
    tmp_path: Path, deployed: Path
) -> None:
    configuration = _configuration(tmp_path, "127.77.9.1")
    lb = {"hostname": "lb1", "private_ip": "127.77.9.3", "status": "online", "layers": ["lb"]}
    configuration["layers"]["lb"] = {"type": "plone-frontend", "instances": {"lb1": lb}}
    wait = run("plone_instances::configure", configuration).find(
        "execute", "wait for site-client1 to answer HEAD /"
    )
    # HAProxy's default rise (2) + 1, times its check interval (2 s)
    assert wait.properties["command"][-2:] == ["--settle", "6"]
    configuration["attributes"]["haproxy"] = {"check_interval": 500, "rise": 1}
    wait = run("plone_instances::configure", configuration).find(
        "execute", "wait for site-client1 to answer HEAD /"
    )
    assert wait.properties["command"][-2:] == ["--settle", "1"]


def test_another_zeo_address_changes_every_clients_definition(
    tmp_path: Path, deployed: Path
) -> None:
    before = run("plone_instances::configure", _configuration(tmp_path, "127.77.9.1"))
    after = run("plone_instances::configure", _configuration(tmp_path, "127.77.9.5"))
    for client in ("site-client1", "site-client2"):
        old = before.find("service", client).properties["environment"]
        new = after.find("service", client).properties["environment"]
        assert old["STACKWORKS_CONFIG_DIGEST"] != new["STACKWORKS_CONFIG_DIGEST"]
    same = run("plone_instances::configure", _configuration(tmp_path, "127.77.9.1"))
    assert (
        same.find("service", "site-client1").properties["environment"]
        == before.find("service", "site-client1").properties["environment"]
    )


def test_configure_without_an_online_zeo_server_leaves_the_clients_alone(
    tmp_path: Path, deployed: Path
) -> None:
    recorded = run("plone_instances::configure", _configuration(tmp_path, None))
    assert recorded.resources == []
    assert any("no ZEO server online" in line for line in recorded.lines)


def test_a_bad_client_attribute_fails_naming_it_before_anything_is_declared(
    tmp_path: Path, deployed: Path
) -> None:
    config = _configuration(tmp_path, "127.77.9.1")
    config["attributes"]["plone_instances"]["zserver_threads"] = "many"
    with pytest.raises(RecipeFailed, match=r"plone_instances\.zserver_threads"):
        run("plone_instances::configure", config)


def test_only_the_first_zeo_instance_by_hostname_packs(tmp_path: Path) -> None:
    layers = {
        "zeoserver": {
            "type": "zeoserver",
            "instances": {"zeo1": {"status": "online"}, "zeo2": {"status": "online"}},
        }
    }

    def pack_on(hostname: str) -> list[str]:
        me = {"hostname": hostname, "private_ip": "127.77.9.1", "layers": ["zeoserver"]}
        config = {
            "attributes": {},
            "stack": {"name": "plone"},
            "layers": layers,
            "apps": {},
            "self": {**me, "roots": {"srv": str(tmp_path / hostname)}},
        }
        return [d.name for d in run("zeoserver::pack", config).resources if d.kind == "execute"]

    assert pack_on("zeo1") == ["zeopack 127.77.9.1:8100 keeping 7 days"]
    assert pack_on("zeo2") == []


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "project"
    repo.mkdir()
    (repo / "requirements.txt").write_text("Plone\n")
    (repo / "constraints.txt").write_text("Plone==6.1.0a5\n")
    for args in (
        ["init", "--quiet", "--initial-branch=main"],
        ["add", "-A"],
        ["-c", "user.name=T", "-c", "user.email=t@example.invalid", "commit", "-qm", "one"],
    ):
        subprocess.run(["/usr/bin/git", "-C", str(repo), *args], check=True, timeout=30)
    return repo


def _deploying(tmp_path: Path, zeo_ip: str | None) -> dict[str, Any]:
    config = _configuration(tmp_path, zeo_ip)
    source = {"type": "git", "url": str(_repo(tmp_path)), "revision": "main"}
    config["apps"]["site"].update(deploy=True, source=source)
    return config


def test_a_deploy_builds_under_the_constraints_then_replaces_clients_and_creates_the_site(
    tmp_path: Path,
) -> None:
    recorded = run("plone_instances::deploy", _deploying(tmp_path, "127.77.9.1"))
    names = [d.name for d in recorded.resources if d.kind in ("execute", "link", "service")]
    build = next(n for n in names if n.startswith("pip build of site"))
    assert names.index(build) < names.index(str(tmp_path / "srv/www/site/current"))
    pip = next(d for d in recorded.resources if d.name == build).properties["command"]
    assert pip[-4:] == ["-c", "constraints.txt", "-r", "requirements.txt"]
    assert names[-1] == "create the Plone site Plone unless the ZODB has it"
    assert names.index("site-client1") < names.index("site-client2")


def test_a_deploy_before_any_zeo_server_is_online_builds_but_starts_no_client(
    tmp_path: Path,
) -> None:
    recorded = run("plone_instances::deploy", _deploying(tmp_path, None))
    assert [d for d in recorded.resources if d.kind == "service"] == []
    assert recorded.find("link", "srv/www/site/current").properties["to"].startswith("releases/")
    assert any("no ZEO server online yet" in line for line in recorded.lines)


def test_restart_with_drop_cache_stops_empties_and_starts_each_client_in_turn(
    tmp_path: Path, deployed: Path
) -> None:
    config = _configuration(tmp_path, "127.77.9.1")
    config["command"] = {"type": "execute_recipes", "args": {"drop_cache": True}}
    recorded = run("plone_instances::restart", config)
    steps = [
        (d.kind, d.name, d.properties.get("action"))
        for d in recorded.resources
        if d.kind in ("service", "execute")
    ]
    assert steps == [
        ("service", "site-client1", ("stop",)),
        ("execute", "drop the ZEO cache of site-client1", ("run",)),
        ("service", "site-client1", ("enable", "start")),
        ("execute", "wait for site-client1 to answer HEAD /", ("nothing",)),
        ("service", "site-client2", ("stop",)),
        ("execute", "drop the ZEO cache of site-client2", ("run",)),
        ("service", "site-client2", ("enable", "start")),
        ("execute", "wait for site-client2 to answer HEAD /", ("nothing",)),
    ]
    drop = recorded.find("execute", "drop the ZEO cache of site-client1")
    assert drop.properties["command"][1].endswith("shared/clients/client1/var")
