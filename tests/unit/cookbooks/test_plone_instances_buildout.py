"""The buildout build of plone_instances: which build an app gets, the deploy.cfg it writes
(extends, parts, each client's addresses, caches, blobs and environment, as the pip build
sets them), and seed 002's change detection (same commit: buildout again only when
deploy.cfg changed or `always_build_on_deploy`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.plone_instances import buildout
from stackworks.testing import Declared, RecipeFailed
from stackworks.testing import run_recipe as run
from support.web import git
from unit.cookbooks.test_plone_instances_declarations import _configuration

RELEASE = "20260101T000000Z"
ME = "127.77.9.2"  # the private address of plone1 in _configuration


def _repo(tmp_path: Path, *, requirements: bool = True) -> tuple[Path, str]:
    repo = tmp_path / "project"
    (repo / "cfg").mkdir(parents=True)
    (repo / "cfg/base.cfg").write_text("[buildout]\nparts = client1\n")
    if requirements:
        (repo / "requirements.txt").write_text("zc.buildout==5.2.0\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a buildout")
    sha = git(repo, "rev-parse", "HEAD")
    return repo, sha


def _config(
    tmp_path: Path, repo: Path, *, zeo_ip: str | None = "127.77.9.1", **plone: Any
) -> dict[str, Any]:
    """The pip tests' stack, its app a buildout repository with seed 001's app options."""
    config = _configuration(tmp_path, zeo_ip)
    config["attributes"]["plone_instances"].update(plone)
    config["attributes"]["deploy"] = {
        "site": {
            "buildout_extends": ["cfg/sources.cfg"],
            "buildout_parts_to_include": ["celery"],
            "environment": {"TZ": "UTC"},
        }
    }
    source = {"type": "git", "url": str(repo), "revision": "main"}
    config["apps"]["site"].update(deploy=True, source=source, secure_keys=["PLONE_ADMIN_PASSWORD"])
    config["self"]["roots"]["var"] = str(tmp_path / "var")
    return config


def _deploy_cfg(recorded: Declared) -> str:
    return str(recorded.find("file", "deploy.cfg").properties["content"])


def _built(tmp_path: Path, sha: str, deploy_cfg: str) -> Path:
    """A buildout release of `sha` on disk, built with `deploy_cfg`, and current."""
    app = tmp_path / "srv/www/site"
    release = app / "releases" / RELEASE
    release.mkdir(parents=True)
    (release / "cfg").mkdir()
    (release / "cfg/base.cfg").write_text("[buildout]\n")
    marker = {"commit": sha, "release": RELEASE, "build": "buildout"}
    (release / ".stackworks-release.json").write_text(json.dumps(marker))
    (release / "deploy.cfg").write_text(deploy_cfg)
    (release / ".stackworks-built.cfg").write_text(deploy_cfg)
    (app / "current").symlink_to(f"releases/{RELEASE}")
    return release


def test_the_build_is_the_deploy_attribute_else_buildout_when_the_commit_has_a_base_cfg() -> None:
    assert buildout.choose_build("site", None, ["cfg/base.cfg", "requirements.txt"]) == "buildout"
    assert buildout.choose_build("site", None, ["buildout.cfg"]) == "buildout"
    assert buildout.choose_build("site", None, ["requirements.txt"]) == "pip"
    assert buildout.choose_build("site", "pip", ["cfg/base.cfg"]) == "pip"
    with pytest.raises(ValueError, match=r"deploy\.site\.build: expected pip or buildout"):
        buildout.choose_build("site", "make", [])


def test_a_deploy_bootstraps_zc_buildout_writes_deploy_cfg_and_runs_it_before_current_flips(
    tmp_path: Path,
) -> None:
    repo, _ = _repo(tmp_path)
    recorded = run("plone_instances::deploy", _config(tmp_path, repo))
    names = [d.name for d in recorded.resources if d.kind in ("execute", "file", "link")]
    bootstrap = next(n for n in names if n.startswith("zc.buildout of site"))
    build = next(n for n in names if n.startswith("buildout of site"))
    deploy_cfg = next(n for n in names if n.endswith("/deploy.cfg"))
    current = str(tmp_path / "srv/www/site/current")
    assert names.index(bootstrap) < names.index(deploy_cfg) < names.index(build)
    assert names.index(build) < names.index(current)
    pip = recorded.find("execute", bootstrap).properties["command"]
    assert pip[-2:] == ["-r", "requirements.txt"]
    command = recorded.find("execute", build).properties["command"]
    assert command[0].endswith(".venv/bin/buildout") and command[1:] == ["-c", "deploy.cfg"]
    client1 = recorded.find("service", "site-client1")
    assert client1.properties["command"][-2:] == [
        str(tmp_path / f"srv/www/site/releases/{Path(deploy_cfg).parent.name}/bin/client1"),
        "console",
    ]
    site = recorded.find("execute", "create the Plone site Plone unless the ZODB has it")
    assert site.properties["command"][0].endswith("bin/stackworks-console")
    assert site.properties["command"][1] == "run"


def test_deploy_cfg_extends_the_base_enables_the_parts_and_sets_each_client_as_pip_would(
    tmp_path: Path,
) -> None:
    repo, _ = _repo(tmp_path)
    text = _deploy_cfg(run("plone_instances::deploy", _config(tmp_path, repo)))
    homes = tmp_path / "srv/www/site/shared/clients"
    head = text.split("[client1]")[0]
    assert "extends =\n    cfg/base.cfg\n    cfg/sources.cfg\n" in head
    assert "parts =\n    client1\n    client2\n    stackworks-console\n    celery\n" in head
    assert f"eggs-directory = {tmp_path}/srv/www/site/shared/eggs" in head
    client1 = text.split("[client1]")[1].split("[client2]")[0]
    for line in (
        f"http-address = {ME}:9081",
        "zeo-address = 127.77.9.1:8100",
        "zodb-cache-size = 30000",
        "threads = 2",
        "zeo-client-cache-size = 128MB",
        "zeo-client-client = client1",
        f"var = {homes}/client1/var",
        f"blob-storage = {homes}/client1/var/blobcache",
        "shared-blob = off",
        "environment-vars = \n    TZ UTC",
    ):
        assert line in client1, line
    client2 = text.split("[client2]")[1].split("[stackworks-console]")[0]
    assert "<= client1" in client2 and f"http-address = {ME}:9082" in client2
    console = text.split("[stackworks-console]")[1]
    assert "zeo-client-client" not in console and f"var = {homes}/console/var" in console
    assert "secret" not in text  # the app's secure values reach the processes only


def test_shared_blobs_and_no_persistent_cache_change_the_client_parts(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path)
    config = _config(tmp_path, repo, nfs_blobs="/srv/blobs", persistent_cache=False)
    client1 = _deploy_cfg(run("plone_instances::deploy", config)).split("[client2]")[0]
    assert "blob-storage = /srv/blobs" in client1 and "shared-blob = on" in client1
    assert "zeo-client-client" not in client1


def test_without_a_requirements_txt_the_bootstrap_installs_the_attribute_pins(
    tmp_path: Path,
) -> None:
    repo, _ = _repo(tmp_path, requirements=False)
    recorded = run("plone_instances::deploy", _config(tmp_path, repo))
    bootstrap = next(d for d in recorded.all("execute") if d.name.startswith("zc.buildout of"))
    assert "zc.buildout==5.2.0" in bootstrap.properties["command"]


def test_the_deployed_commit_with_the_same_deploy_cfg_builds_and_restarts_nothing(
    tmp_path: Path,
) -> None:
    repo, sha = _repo(tmp_path)
    fresh = _deploy_cfg(run("plone_instances::deploy", _config(tmp_path, repo)))
    _built(tmp_path, sha, fresh)
    recorded = run("plone_instances::deploy", _config(tmp_path, repo))
    assert not [d for d in recorded.all("execute") if "buildout" in d.name]
    assert recorded.find("service", "site-client1").properties["action"] == ("enable", "start")
    assert any("same commit and deploy.cfg: nothing to build" in line for line in recorded.lines)


def test_the_deployed_commit_with_a_changed_deploy_cfg_runs_buildout_in_the_same_release(
    tmp_path: Path,
) -> None:
    repo, sha = _repo(tmp_path)
    before = run("plone_instances::deploy", _config(tmp_path, repo))
    _built(tmp_path, sha, _deploy_cfg(before))
    after = run("plone_instances::deploy", _config(tmp_path, repo, zodb_cache_size=5000))
    again = after.find("execute", f"buildout in place of site {RELEASE}")
    assert again.properties["cwd"].endswith(f"releases/{RELEASE}")
    assert "zodb-cache-size = 5000" in _deploy_cfg(after)
    old = before.find("service", "site-client1").properties["environment"]
    new = after.find("service", "site-client1").properties["environment"]
    assert old["STACKWORKS_CONFIG_DIGEST"] != new["STACKWORKS_CONFIG_DIGEST"]


def test_always_build_on_deploy_runs_buildout_and_restarts_every_client(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    config = _config(tmp_path, repo)
    _built(tmp_path, sha, _deploy_cfg(run("plone_instances::deploy", config)))
    config["attributes"]["deploy"]["site"]["always_build_on_deploy"] = True
    recorded = run("plone_instances::deploy", config)
    assert recorded.find("execute", f"buildout in place of site {RELEASE}")
    for client in ("site-client1", "site-client2"):
        assert recorded.find("service", client).properties["action"] == ("enable", "restart")


def test_configure_after_the_zeo_server_moved_runs_buildout_in_place_then_rolls_clients(
    tmp_path: Path,
) -> None:
    repo, sha = _repo(tmp_path)
    _built(tmp_path, sha, _deploy_cfg(run("plone_instances::deploy", _config(tmp_path, repo))))
    recorded = run("plone_instances::configure", _config(tmp_path, repo, zeo_ip="127.77.9.7"))
    order = [(d.kind, d.name) for d in recorded.resources if d.kind in ("service", "execute")]
    assert order[:5] == [
        ("execute", f"buildout in place of site {RELEASE}"),
        ("service", "site-client1"),
        ("execute", "wait for site-client1 to answer HEAD /"),
        ("service", "site-client2"),
        ("execute", "wait for site-client2 to answer HEAD /"),
    ]
    assert "zeo-address = 127.77.9.7:8100" in _deploy_cfg(recorded)


@pytest.mark.parametrize(
    ("custom", "field"),
    [
        ({"buildout_extends": ["../../etc/passwd.cfg"]}, r"deploy\.site\.buildout_extends"),
        ({"buildout_parts_to_include": ["a b"]}, r"deploy\.site\.buildout_parts_to_include"),
        ({"environment": {"TZ": "${buildout:directory}"}}, r"deploy\.site\.environment\.TZ"),
        ({"build": "make"}, r"deploy\.site\.build"),
    ],
)
def test_a_bad_buildout_attribute_fails_naming_it(
    tmp_path: Path, custom: dict[str, Any], field: str
) -> None:
    repo, _ = _repo(tmp_path)
    config = _config(tmp_path, repo)
    config["attributes"]["deploy"]["site"] = custom
    with pytest.raises(RecipeFailed, match=field):
        run("plone_instances::deploy", config)


def test_init_commands_become_supervised_programs_after_the_clients_and_stay_recorded(
    tmp_path: Path,
) -> None:
    repo, _ = _repo(tmp_path)
    config = _config(tmp_path, repo)
    config["attributes"]["deploy"]["site"]["buildout_init_commands"] = [
        {"name": "celeryd", "cmd": "bin/celeryd", "args": "worker --loglevel 'info'"}
    ]
    recorded = run("plone_instances::deploy", config)
    services = [d.name for d in recorded.all("service")]
    assert services == ["site-client1", "site-client2", "site-celeryd"]
    celery = recorded.find("service", "site-celeryd")
    release = Path(celery.properties["directory"])
    assert celery.properties["command"] == [
        str(release / "bin/celeryd"),
        "worker",
        "--loglevel",
        "info",
    ]
    assert celery.properties["environment"]["PLONE_ADMIN_PASSWORD"] == "secret"
    recorded_set = json.loads(recorded.find("file", "processes.json").properties["content"])
    assert recorded_set["services"] == services


def test_a_bad_init_command_fails_naming_its_field(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path)
    config = _config(tmp_path, repo)
    config["attributes"]["deploy"]["site"]["buildout_init_commands"] = [
        {"name": "celeryd", "cmd": "bin/../../celeryd"}
    ]
    with pytest.raises(RecipeFailed, match=r"deploy\.site\.buildout_init_commands\[0\]\.cmd"):
        run("plone_instances::deploy", config)


def test_a_bare_init_command_is_a_script_of_the_buildout_and_gets_the_broker_url(
    tmp_path: Path,
) -> None:
    repo, _ = _repo(tmp_path)
    config = _config(tmp_path, repo, enable_celery=True, broker={"host": "127.77.9.5"})
    config["attributes"]["deploy"]["site"]["buildout_init_commands"] = [
        {"name": "celeryd", "cmd": "celery", "args": ["-A", "tasks", "worker"]}
    ]
    recorded = run("plone_instances::deploy", config)
    celery = recorded.find("service", "site-celeryd")
    release = Path(celery.properties["directory"])
    assert celery.properties["command"] == [str(release / "bin/celery"), "-A", "tasks", "worker"]
    assert celery.properties["environment"]["CELERY_BROKER_URL"] == "redis://127.77.9.5:6379/0"
    broker_env = recorded.find("file", "shared/broker.env").properties["content"]
    assert broker_env == "CELERY_BROKER_URL=redis://127.77.9.5:6379/0\n"


def test_a_buildout_app_refuses_relstorage_naming_the_attribute_before_any_build(
    tmp_path: Path,
) -> None:
    repo, _ = _repo(tmp_path)
    config = _config(tmp_path, repo, enable_relstorage=True)
    with pytest.raises(RecipeFailed, match=r"plone_instances\.enable_relstorage: app site has "):
        run("plone_instances::deploy", config)
    with pytest.raises(ValueError, match=r"deploy\.site\.build pip"):
        buildout.check_storage("site", {"enable_relstorage": True})
    buildout.check_storage("site", {"enable_relstorage": False})


def test_relstorage_turned_on_after_a_buildout_deploy_fails_configure_and_builds_nothing(
    tmp_path: Path,
) -> None:
    repo, sha = _repo(tmp_path)
    _built(tmp_path, sha, _deploy_cfg(run("plone_instances::deploy", _config(tmp_path, repo))))
    db = {"host": "127.77.9.8", "dbname": "zodb", "user": "plone", "password": "pw"}
    config = _config(tmp_path, repo, enable_relstorage=True, relstorage={"db": db})
    with pytest.raises(RecipeFailed, match=r"plone_instances\.enable_relstorage: app site"):
        run("plone_instances::configure", config)


def test_deploy_cfg_checks_the_storage_settings_as_the_pip_builds_zope_conf_does(
    tmp_path: Path,
) -> None:
    repo, _ = _repo(tmp_path)
    for bad, field in (
        ({"zeo_client_cache_size": "lots"}, r"plone_instances\.zeo_client_cache_size"),
        ({"zodb_cache_size": 0}, r"plone_instances\.zodb_cache_size"),
        ({"nfs_blobs": "/srv/my blobs"}, r"plone_instances\.nfs_blobs"),
    ):
        with pytest.raises(RecipeFailed, match=field):
            run("plone_instances::deploy", _config(tmp_path, repo, **bad))


def test_cache_archives_are_fetched_and_unpacked_under_the_app_before_the_build(
    tmp_path: Path,
) -> None:
    repo, _ = _repo(tmp_path)
    config = _config(tmp_path, repo)
    config["attributes"]["deploy"]["site"]["buildout_cache_archives"] = [
        {
            "url": "https://cache.example/eggs.tgz",
            "path": "shared/eggs",
            "checksum": "sha256:" + "a" * 64,
        }
    ]
    recorded = run("plone_instances::deploy", config)
    kinds = [(d.kind, d.name) for d in recorded.resources]
    unpack = next(i for i, (kind, _) in enumerate(kinds) if kind == "archive")
    build = next(i for i, (_, name) in enumerate(kinds) if name.startswith("buildout of site"))
    assert unpack < build
    archive = recorded.resources[unpack]
    assert archive.properties["destination"] == str(tmp_path / "srv/www/site/shared/eggs")


def test_the_deployed_commit_with_another_build_asked_for_gets_a_new_release(
    tmp_path: Path,
) -> None:
    repo, sha = _repo(tmp_path)
    config = _config(tmp_path, repo)
    _built(tmp_path, sha, _deploy_cfg(run("plone_instances::deploy", config)))
    config["attributes"]["deploy"]["site"]["build"] = "pip"
    recorded = run("plone_instances::deploy", config)
    assert any(d.name.startswith("pip build of site") for d in recorded.all("execute"))
    assert recorded.find("link", "srv/www/site/current").properties["to"] != f"releases/{RELEASE}"


def test_a_deploy_before_any_zeo_server_builds_without_its_address_and_starts_no_client(
    tmp_path: Path,
) -> None:
    repo, _ = _repo(tmp_path)
    recorded = run("plone_instances::deploy", _config(tmp_path, repo, zeo_ip=None))
    assert "zeo-address" not in _deploy_cfg(recorded)
    assert any(d.name.startswith("buildout of site") for d in recorded.all("execute"))
    assert recorded.all("service") == []


@pytest.mark.parametrize(
    ("plone", "field"),
    [
        ({"buildout_cache_dir": "cache"}, r"plone_instances\.buildout_cache_dir"),
        ({"zserver_threads": 0}, r"plone_instances\.zserver_threads"),
    ],
)
def test_a_bad_plone_instances_attribute_fails_the_buildout_deploy_naming_it(
    tmp_path: Path, plone: dict[str, Any], field: str
) -> None:
    repo, _ = _repo(tmp_path)
    with pytest.raises(RecipeFailed, match=field):
        run("plone_instances::deploy", _config(tmp_path, repo, **plone))


def test_bad_bootstrap_pins_fail_naming_the_attribute(tmp_path: Path) -> None:
    repo, _ = _repo(tmp_path, requirements=False)
    config = _config(tmp_path, repo, buildout_requirements="zc.buildout")
    with pytest.raises(RecipeFailed, match=r"plone_instances\.buildout_requirements"):
        run("plone_instances::deploy", config)


def test_a_deploy_cfg_written_by_a_failed_buildout_run_is_built_again(tmp_path: Path) -> None:
    repo, sha = _repo(tmp_path)
    release = _built(tmp_path, sha, "[buildout]\n# what the last successful run used\n")
    (release / "deploy.cfg").write_text(
        _deploy_cfg(run("plone_instances::deploy", _config(tmp_path, repo)))
    )
    recorded = run("plone_instances::deploy", _config(tmp_path, repo))
    names = [d.name for d in recorded.resources]
    build = names.index(f"buildout in place of site {RELEASE}")
    assert names.index(str(release / ".stackworks-built.cfg")) > build
