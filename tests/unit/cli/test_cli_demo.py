"""The demo's pieces that run here without a server: its git repository, document, probes."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest
from cli_harness import Invoke, make_runtime
from fake_api import TOKEN, FakeApi

from stackworks.cli import demo, demo_plone
from stackworks.cli.documents import load_document
from stackworks.cli.errors import CliError
from stackworks.wire.schemas import InstanceOut


def test_sample_repository_is_a_committed_copy_made_once(tmp_path: Path) -> None:
    repo = demo.sample_repository(tmp_path)
    assert (repo / "wsgi.py").read_text() == (demo.SAMPLE_APP / "wsgi.py").read_text()
    log = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%H"], capture_output=True, text=True, check=True
    )
    assert len(log.stdout.split()) == 1
    assert demo.sample_repository(tmp_path) == repo
    again = subprocess.run(
        ["git", "-C", str(repo), "log", "--format=%H"], capture_output=True, text=True, check=True
    )
    assert again.stdout == log.stdout


def test_demo_document_puts_haproxy_in_front_of_two_app_instances(tmp_path: Path) -> None:
    document = demo.demo_document(tmp_path / "sample-app.git", "s3cret")
    assert [(layer.shortname, layer.type.value) for layer in document.layers] == [
        ("lb", "lb"),
        ("app", "python-app"),
    ]
    assert document.layers[0].custom_json == {"haproxy": {"port": 8080}}
    (app,) = document.apps
    assert app.source.url == f"file://{tmp_path / 'sample-app.git'}"
    assert [(v.key, v.secure) for v in app.environment] == [
        ("GREETING", False),
        ("SECRET_KEY", True),
    ]
    assert [(i.hostname, i.layers) for i in document.instances] == [
        ("lb1", ["lb"]),
        ("app1", ["app"]),
        ("app2", ["app"]),
    ]


def test_nothing_answers_on_a_closed_loopback_port() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert demo.answers(f"http://127.0.0.1:{port}") is False


def test_missing_admin_token_says_to_pass_the_servers_data_dir(tmp_path: Path) -> None:
    with pytest.raises(CliError) as caught:
        demo.admin_token(tmp_path)
    assert "--data-dir" in caught.value.message
    assert str(tmp_path / "admin-token") in caught.value.message


def test_plone_document_fills_in_the_repository_and_a_secure_admin_password(
    tmp_path: Path,
) -> None:
    document = demo_plone.plone_document(tmp_path / "plone-project.git", "pw-123")
    assert [(layer.shortname, layer.type.value) for layer in document.layers] == [
        ("lb", "plone-frontend"),
        ("plone_instances", "plone-instances"),
        ("zeoserver", "zeoserver"),
        ("redis", "redis"),
    ]
    (zeo_layer,) = [layer for layer in document.layers if layer.shortname == "zeoserver"]
    assert [v.mount_point for v in zeo_layer.volume_configurations] == ["/srv/zeoserver/var"]
    (app,) = document.apps
    assert app.shortname == "plone_instances"
    assert app.layers == ["plone_instances", "zeoserver"]
    assert app.source.url == f"file://{tmp_path / 'plone-project.git'}"
    assert [(v.key, v.value, v.secure) for v in app.environment] == [
        ("PLONE_ADMIN_PASSWORD", "pw-123", True)
    ]
    assert document.custom_json["plone_instances"]["instance_count"] == 2
    layers = [i.layers for i in document.instances]
    assert layers.count(["plone_instances"]) == 2
    assert layers.count(["zeoserver"]) == 1 and layers.count(["lb"]) == 1


def test_the_scalable_documents_ports_do_not_collide_on_one_address() -> None:
    """single.yaml puts every service on one instance; both documents choose the same ports."""
    for name in ("scalable.yaml", "single.yaml"):
        attributes = load_document(demo_plone.EXAMPLES / name).custom_json
        plone = attributes["plone_instances"]
        clients = [plone["base_port"] + k for k in range(1, plone["instance_count"] + 1)]
        ports = [
            attributes["nginx"]["port"],
            attributes["varnish"]["port"],
            attributes["varnish"]["admin_port"],
            attributes["haproxy"]["port"],
            attributes["zeoserver"]["port"],
            *clients,
        ]
        assert len(set(ports)) == len(ports), name


def test_a_document_without_the_app_url_placeholder_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "plone.yaml"
    source.write_text("name: plone\napps: []\n")
    with pytest.raises(CliError) as caught:
        demo_plone.plone_document(tmp_path / "repo", "pw", source)
    assert "APP_URL" in caught.value.message and str(source) in caught.value.message


def test_the_admin_password_is_made_once_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    password = demo_plone.admin_password(tmp_path)
    assert len(password) >= 20
    path = tmp_path / demo_plone.PASSWORD_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert demo_plone.admin_password(tmp_path) == password


def test_the_site_url_is_nginx_on_the_first_front_end_instance(api: FakeApi) -> None:
    document = demo_plone.plone_document(Path("/r.git"), "pw")
    api.add_instance("plone", "lb1", ["lb"], "online")
    api.add_instance("plone", "zeoserver1", ["zeoserver"], "online")
    api.instances[("plone", "lb1")]["private_ip"] = "127.77.0.9"
    found = [InstanceOut.model_validate(i) for i in api.instances.values()]
    assert demo_plone.site_url(document, found) == "http://127.77.0.9:8000/"


def test_plone_demo_starts_the_zeo_server_before_the_other_instances(
    api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for hostname, layers in (
        ("zeoserver1", ["zeoserver"]),
        ("plone-instances1", ["plone_instances"]),
        ("lb1", ["lb"]),
    ):
        api.add_instance("plone", hostname, layers, "stopped")
    api.add_stack("plone")
    (tmp_path / "admin-token").write_text(TOKEN)
    monkeypatch.setattr(demo, "answers", lambda _url: True)
    monkeypatch.setattr(demo, "wait_for_http", lambda *_args: None)
    waits: list[tuple[list[str], set[str] | None]] = []

    def wait_until_online(
        _rt: object, client: object, _timeout: float, stack: str, hostnames: set[str] | None = None
    ) -> list[InstanceOut]:
        """What was started when each wait began; then the awaited instances come online."""
        started = sorted(h for (s, h), i in api.instances.items() if i["status"] != "stopped")
        waits.append((started, hostnames))
        for (s, h), instance in api.instances.items():
            if s == stack and (hostnames is None or h in hostnames):
                instance["status"] = "online"
        return [InstanceOut.model_validate(i) for (s, _h), i in api.instances.items() if s == stack]

    monkeypatch.setattr(demo, "wait_until_online", wait_until_online)
    demo_plone.run_plone_demo(make_runtime(api), tmp_path, "127.0.0.1:8700", timeout=5)
    assert waits == [
        (["zeoserver1"], {"zeoserver1"}),
        (["lb1", "plone-instances1", "zeoserver1"], None),
    ]
    assert (tmp_path / "plone-project.git" / "requirements.txt").exists()


def test_an_unknown_demo_is_a_usage_error(cli: Invoke) -> None:
    result = cli("demo", "wordpress")
    assert result.exit_code == 2
    assert "unknown demo 'wordpress'" in result.output
