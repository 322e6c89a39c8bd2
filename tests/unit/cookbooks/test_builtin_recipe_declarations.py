"""What the built-in recipes declare, and in which order, for a given instance state.

The app's repository is a real git repository in tmp (the deploy recipe reads it while it
declares); `stackworks.testing.run_recipe` declares them with the real engine, acting on nothing.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from stackworks.cookbooks.python_app import releases
from stackworks.testing import RecipeFailed
from stackworks.testing import run_recipe as run

GIT = "/usr/bin/git"


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        [GIT, "-C", str(repo), "-c", "user.name=T", "-c", "user.email=t@example.invalid", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "app-src"
    repo.mkdir()
    (repo / "wsgi.py").write_text("application = None\n")
    (repo / "requirements.txt").write_text("gunicorn\n")
    (repo / "Procfile").write_text("web: gunicorn wsgi:application\nworker: python jobs.py\n")
    _git(repo, "init", "--quiet", "--initial-branch=main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "--quiet", "-m", "one")
    return repo


def _configuration(tmp_path: Path, url: str, layers: list[str] | None = None) -> dict[str, Any]:
    me = {
        "hostname": "web1",
        "private_ip": "10.0.0.1",
        "status": "online",
        "layers": layers or ["web"],
    }
    return {
        "stackworks": {"service_manager": "supervisor", "packages": ["curl", "jq"]},
        "attributes": {"python_app": {"instance_count": 2, "base_port": 9000}},
        "stack": {"id": "s", "name": "demo"},
        "layers": {
            "web": {"type": "python-app", "instances": {"web1": me}},
            "lb": {"type": "lb", "instances": {}},
        },
        "apps": {
            "shop": {
                "name": "Shop",
                "source": {"type": "git", "url": url, "revision": "main"},
                "environment": {"A": "1", "TOKEN": "s3cret"},
                "secure_keys": ["TOKEN"],
                "layers": ["web"],
                "deploy": True,
            }
        },
        "self": {
            **me,
            "roots": {
                "srv": str(tmp_path / "srv"),
                "etc": str(tmp_path / "etc"),
                "run": str(tmp_path / "run"),
            },
        },
    }


def _index(kinds: list[tuple[str, str]], kind: str, suffix: str) -> int:
    return next(i for i, (k, n) in enumerate(kinds) if k == kind and n.endswith(suffix))


def test_first_deploy_builds_the_release_fully_before_flipping_current(
    tmp_path: Path, repo: Path
) -> None:
    r = run("python_app::deploy", _configuration(tmp_path, str(repo)))
    kinds = r.kinds()
    checkout = _index(kinds, "git", "")
    install = _index(kinds, "execute", "")
    flip = _index(kinds, "link", "/current")
    first_service = _index(kinds, "service", "shop-web-1")
    assert checkout < install < flip < first_service
    assert r.resources[checkout].properties["revision"] == _git(repo, "rev-parse", "HEAD")
    pip = r.find("execute", "dependencies of shop " + Path(r.resources[checkout].name).name)
    assert pip.properties["command"][-2:] == ["-r", "requirements.txt"]
    assert r.resources[flip].properties["to"].startswith("releases/")
    services = [d for d in r.resources if d.kind == "service"]
    assert [s.name for s in services] == ["shop-web-1", "shop-web-2", "shop-worker"]
    assert services[1].properties["command"][-2:] == ["-b", "10.0.0.1:9002"]
    assert services[1].properties["directory"] == r.resources[checkout].name


def test_deploy_config_is_private_and_carries_no_url_credentials(
    tmp_path: Path, repo: Path
) -> None:
    r = run("python_app::deploy", _configuration(tmp_path, str(repo)))
    deploy_json = r.find("file", "shared/deploy.json")
    assert deploy_json.properties["mode"] == 0o600
    assert deploy_json.properties["sensitive"] is True
    document = json.loads(deploy_json.properties["content"])
    assert document["environment"] == {"A": "1", "TOKEN": "s3cret"}
    assert document["secure_keys"] == ["TOKEN"]
    assert document["layers"] == {"lb": {"instances": {}}}  # other layers only
    assert not any("s3cret" in line for line in r.lines)


def test_deploy_config_follows_the_apps_custom_json_but_not_its_sibling_servers(
    tmp_path: Path, repo: Path
) -> None:
    config = _configuration(tmp_path, str(repo))
    before = run("python_app::deploy", config).find("file", "shared/deploy.json")
    config["layers"]["web"]["instances"]["web2"] = {"private_ip": "10.0.0.2", "status": "online"}
    same = run("python_app::deploy", config).find("file", "shared/deploy.json")
    assert same.properties["content"] == before.properties["content"]
    config["attributes"]["deploy"] = {"shop": {"workers": 4}}
    changed = run("python_app::deploy", config).find("file", "shared/deploy.json")
    assert json.loads(changed.properties["content"])["custom"] == {"workers": 4}


def test_deploying_the_running_commit_rebuilds_only_on_config_change_or_when_asked(
    tmp_path: Path, repo: Path
) -> None:
    config = _configuration(tmp_path, str(repo))
    paths = releases.app_paths(tmp_path / "srv", "shop")
    release = paths.release("20260101T000000Z")
    release.mkdir(parents=True)
    (release / "Procfile").write_text("web: gunicorn wsgi:application\n")
    commit = _git(repo, "rev-parse", "HEAD")
    (release / releases.MARKER).write_text(json.dumps({"commit": commit}))
    paths.current.symlink_to("releases/20260101T000000Z")

    def actions(r: Any) -> list[tuple[str, ...]]:
        return [r.find("service", f"shop-web-{n}").properties["action"] for n in (1, 2)]

    # no deploy configuration yet: it changed, so rebuild in place and restart, no new release
    first = run("python_app::deploy", config)
    assert [k for k, _ in first.kinds() if k in {"git", "link"}] == []
    assert [n for k, n in first.kinds() if k == "execute"] == [
        "rebuild shop 20260101T000000Z in place"
    ]
    assert actions(first) == [("enable", "restart"), ("enable", "restart")]
    assert any("deploy configuration changed" in line for line in first.lines)

    # the same configuration again: nothing to build or restart
    paths.deploy_json.parent.mkdir(parents=True, exist_ok=True)
    paths.deploy_json.write_text(first.find("file", "shared/deploy.json").properties["content"])
    second = run("python_app::deploy", config)
    assert [k for k, _ in second.kinds() if k in {"git", "execute", "link"}] == []
    assert actions(second) == [("enable", "start"), ("enable", "start")]
    assert any("nothing to build or restart" in line for line in second.lines)

    # unless the stack asks for a build on every deploy
    config["attributes"]["deploy"] = {"shop": {"always_build_on_deploy": True}}
    forced = run("python_app::deploy", config)
    assert actions(forced) == [("enable", "restart"), ("enable", "restart")]
    assert any("always_build_on_deploy" in line for line in forced.lines)


def test_dropped_processes_are_stopped_and_disabled(tmp_path: Path, repo: Path) -> None:
    paths = releases.app_paths(tmp_path / "srv", "shop")
    paths.shared.mkdir(parents=True)
    paths.processes_json.write_text(json.dumps({"services": ["shop-web-3", "shop-web-1"]}))
    r = run("python_app::deploy", _configuration(tmp_path, str(repo)))
    retired = r.find("service", "shop-web-3")
    assert retired.properties["action"] == ("stop", "disable")
    assert retired.properties.get("command") is None


def test_unreachable_repository_fails_before_anything_is_declared(tmp_path: Path) -> None:
    with pytest.raises(RecipeFailed, match=r"app shop: cannot fetch .*nowhere") as caught:
        run("python_app::deploy", _configuration(tmp_path, str(tmp_path / "nowhere")))
    assert "Traceback" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ext::sh -c touch% {marker}", "ext:: remote helper"),
        ("--upload-pack=touch {marker}", "starts with '-'"),
    ],
)
def test_a_git_url_git_would_run_fails_before_git_or_any_declaration(
    tmp_path: Path, url: str, reason: str
) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(RecipeFailed, match=f"app shop: source: .*{reason}") as caught:
        run("python_app::deploy", _configuration(tmp_path, url.format(marker=marker)))
    assert caught.value.declared.kinds() == []
    assert not marker.exists()
    assert not list(tmp_path.rglob("repo.git"))  # not even the mirror was made


def test_credentials_in_the_url_never_reach_the_failure_message(tmp_path: Path) -> None:
    url = "http://user:hunter2@127.0.0.1:9/app.git"
    with pytest.raises(RecipeFailed) as caught:
        run("python_app::deploy", _configuration(tmp_path, url))
    assert "hunter2" not in str(caught.value)


def test_rollback_without_an_earlier_release_says_so(tmp_path: Path, repo: Path) -> None:
    with pytest.raises(RecipeFailed, match="no earlier release"):
        run("python_app::rollback", _configuration(tmp_path, str(repo)))


def test_haproxy_checks_the_new_file_and_reloads_with_usr2(tmp_path: Path, repo: Path) -> None:
    config = _configuration(tmp_path, str(repo), layers=["lb"])
    config["self"]["private_ip"] = "10.0.0.9"
    config["layers"]["web"]["instances"]["web1"]["layers"] = ["web"]
    r = run("haproxy::configure", config)
    cfg = r.find("file", "haproxy/haproxy.cfg")
    assert cfg.properties["verify"][-3:] == ["-c", "-f", "{path}"]
    assert "server web1-2 10.0.0.1:9002 check" in cfg.properties["content"]
    assert "bind 10.0.0.9:80" in cfg.properties["content"]
    service = r.find("service", "haproxy")
    assert service.properties["command"][1:4] == ["-W", "-db", "-f"]
    assert service.properties["reload_signal"] == "USR2"
    assert [(n.action, n.target, n.timing) for n in cfg.notifications] == [
        ("reload", service, "delayed")
    ]


def test_layer_packages_are_installed_with_apt_in_one_resource(tmp_path: Path) -> None:
    config = _configuration(tmp_path, "unused")
    r = run("stackworks::packages", config)
    [package] = r.resources
    assert package.kind == "package"
    assert package.properties["names"] == ["curl", "jq"]
    assert package.properties["provider"] == "apt"
    assert package.properties["action"] == ("install",)
    config["command"] = {"type": "update_dependencies"}
    upgraded = run("stackworks::packages", config)
    assert upgraded.resources[0].properties["action"] == ("upgrade",)


def test_the_volumes_recipe_links_each_volume_at_its_mount_path(tmp_path: Path) -> None:
    config = _configuration(tmp_path, "file:///unused")
    config["self"]["volumes"] = [
        {
            "id": "v1",
            "name": "web1-srv-data",
            "mount_point": "/srv/data",
            "mount_path": f"{tmp_path}/root/srv/data",
            "path": f"{tmp_path}/volumes/v1",
        }
    ]
    r = run("stackworks::volumes", config)
    assert r.kinds() == [
        ("directory", f"{tmp_path}/volumes/v1"),
        ("directory", f"{tmp_path}/root/srv"),
        ("link", f"{tmp_path}/root/srv/data"),
    ]
    assert r.find("link", "srv/data").properties["to"] == f"{tmp_path}/volumes/v1"
    config["self"]["volumes"] = []
    assert run("stackworks::volumes", config).kinds() == []
