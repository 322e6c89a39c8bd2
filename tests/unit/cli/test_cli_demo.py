"""The demo's pieces that run here without a server: its git repository, document, probes."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from stackworks.cli import demo
from stackworks.cli.errors import CliError


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
