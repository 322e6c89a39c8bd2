"""stackworks.testing: cookbook authors' harness over the real engine, acting on nothing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from stackworks.converge import FakeRunner
from stackworks.testing import RecipeFailed, StackBuilder, run_recipe


def _cookbook(base: Path, body: str) -> Path:
    recipes = base / "hello" / "recipes"
    recipes.mkdir(parents=True)
    (recipes / "default.py").write_text(textwrap.dedent(body).lstrip())
    (base / "hello" / "attributes.py").write_text("DEFAULTS = {'hello': {'port': 8080}}\n")
    return base


HELLO = """
def recipe(r):
    conf = r.file(f"{r.roots['etc']}/hello.conf", content=f"port={r.node.hello.port}\\n")
    svc = r.service("hello", command=["/usr/bin/hello"], reload_signal="USR1")
    conf.notifies("reload", svc)
    r.cron("tidy", command=["/usr/bin/hello", "--tidy"], schedule="@daily")
"""


def test_declares_with_defaults_and_notifications_and_touches_nothing(tmp_path: Path) -> None:
    paths = _cookbook(tmp_path / "cookbooks", HELLO)
    config = StackBuilder("shop", root=tmp_path / "i").layer("web").instance("web1", ["web"])
    declared = run_recipe("hello", config.build(), cookbook_paths=[paths])
    assert declared.kinds() == [
        ("file", f"{tmp_path}/i/etc/hello.conf"),
        ("service", "hello"),
        ("cron", "tidy"),
    ]
    conf = declared.find("file", "hello.conf")
    assert conf.properties["content"] == "port=8080\n"
    assert conf.recipe == "hello::default" and conf.file.endswith("default.py")
    [note] = conf.notifications
    assert (note.action, note.target, note.timing) == ("reload", declared[1], "delayed")
    assert declared.find("cron", "tidy").properties["schedule"] == "@daily"
    assert declared.report.resources == []
    assert not (tmp_path / "i").exists()


def test_attributes_override_defaults(tmp_path: Path) -> None:
    paths = _cookbook(tmp_path / "cookbooks", HELLO)
    config = (
        StackBuilder(root=tmp_path)
        .layer("web")
        .instance("web1", ["web"])
        .attributes({"hello": {"port": 9000}})
        .build()
    )
    declared = run_recipe("hello", config, cookbook_paths=[paths])
    assert declared.find("file", "hello.conf").properties["content"] == "port=9000\n"


def test_a_dry_run_checks_through_a_fake_runner_and_changes_nothing(tmp_path: Path) -> None:
    paths = _cookbook(tmp_path / "cookbooks", HELLO)
    root = tmp_path / "i"
    (root / "etc").mkdir(parents=True)
    config = StackBuilder(root=root).layer("web").instance("web1", ["web"]).build()
    runner = FakeRunner()
    declared = run_recipe("hello", config, cookbook_paths=[paths], dry_run=True, runner=runner)
    assert [r.status for r in declared.report.resources] == ["would_change"] * 3
    assert not (root / "etc" / "hello.conf").exists()
    assert all("start" not in call for call in runner.calls)


def test_with_a_runner_the_resources_converge(tmp_path: Path) -> None:
    paths = tmp_path / "cookbooks"
    (paths / "hello" / "recipes").mkdir(parents=True)
    (paths / "hello" / "recipes" / "default.py").write_text(
        "def recipe(r):\n    r.file(r.roots['etc'] + '/x', content='1')\n"
    )
    root = tmp_path / "i"
    (root / "etc").mkdir(parents=True)
    config = StackBuilder(root=root).layer("web").instance("web1", ["web"]).build()
    declared = run_recipe("hello", config, cookbook_paths=[paths], runner=FakeRunner())
    assert [r.status for r in declared.report.resources] == ["changed"]
    assert (root / "etc" / "x").read_text() == "1"


def test_a_failing_recipe_raises_with_its_message_and_what_was_declared(tmp_path: Path) -> None:
    paths = _cookbook(
        tmp_path / "cookbooks",
        """
        def recipe(r):
            r.directory("/x")
            r.fail("hello.port: must be a number")
        """,
    )
    config = StackBuilder().layer("web").instance("web1", ["web"]).build()
    with pytest.raises(RecipeFailed, match=r"hello\.port: must be a number") as caught:
        run_recipe("hello", config, cookbook_paths=[paths])
    assert caught.value.declared.kinds() == [("directory", "/x")]


def test_the_builtin_haproxy_recipe_balances_the_app_layer() -> None:
    config = (
        StackBuilder("shop")
        .layer("lb", type="lb")
        .layer("app", type="python-app")
        .instance("lb1", ["lb"], me=True)
        .instance("app1", ["app"], private_ip="127.77.0.5")
        .instance("app2", ["app"], status="stopped")
        .attributes({"python_app": {"instance_count": 2, "base_port": 9000}})
        .build()
    )
    declared = run_recipe("haproxy::configure", config)
    text = declared.find("file", "haproxy.cfg").properties["content"]
    assert "server app1-2 127.77.0.5:9002 check" in text
    assert "app2" not in text
    assert "bind 127.77.0.1:80" in text


def test_the_builder_shapes_a_configuration_like_the_servers() -> None:
    config = (
        StackBuilder("shop")
        .layer("app", type="python-app")
        .instance("a1", ["app"])
        .instance("a2", ["app"], me=True)
        .app("web", layers=["app"])
        .command("deploy")
        .build()
    )
    assert config["self"]["hostname"] == "a2"
    assert config["self"]["roots"]["srv"] == "/srv"
    assert config["stackworks"]["service_manager"] == "systemd"
    assert sorted(config["layers"]["app"]["instances"]) == ["a1", "a2"]
    assert config["apps"]["web"]["deploy"] is True
    assert config["command"]["type"] == "deploy"
    with pytest.raises(ValueError, match=r"layers \['db'\] are not declared"):
        StackBuilder().instance("x", ["db"])
    with pytest.raises(ValueError, match="needs an instance"):
        StackBuilder().build()
