"""`stackworks server --tls-cert --tls-key` on loopback: the CLI and an agent verify it.

The certificate is self-signed, made by the test. With it as CA file the CLI works and an agent
registers and heartbeats over HTTPS; without it, or with another certificate, each refuses with
a message about the certificate, never a traceback, and nothing is written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from stackworks.api.app import create_app
from stackworks.api.server import ServerTls, prepare
from stackworks.providers.fake import FakeProvider
from support.api_harness import Api, make_instance, make_layer, make_stack
from support.certificates import self_signed
from support.cluster import ServerProcess
from support.processes import end_session, wait_until

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, certificate: tuple[Path, Path]
) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("tls-server") / "d", tls=certificate)
    process.start()
    try:
        yield process
    finally:
        process.close()


def stackworks(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stackworks", *args],
        env={**os.environ, "NO_COLOR": "1", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def cli_env(server: ServerProcess, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "STACKWORKS_URL": server.url,
        "STACKWORKS_TOKEN": server.token,
        "STACKWORKS_CONFIG": str(tmp_path / "credentials.json"),
        **extra,
    }


def test_the_cli_with_the_ca_file_talks_https(
    server: ServerProcess, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    env = cli_env(server, tmp_path, STACKWORKS_CA_FILE=str(certificate[0]))
    assert stackworks("stack", "create", "tls1", env=env).returncode == 0
    listed = stackworks("stack", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert [s["name"] for s in json.loads(listed.stdout)] == ["tls1"]
    by_option = stackworks(
        "--ca-file", str(certificate[0]), "stack", "list", "--json", env=cli_env(server, tmp_path)
    )
    assert by_option.returncode == 0, by_option.stderr


def test_the_cli_without_the_ca_file_refuses_the_certificate_clearly(
    server: ServerProcess, tmp_path: Path
) -> None:
    for extra in ({}, {"STACKWORKS_CA_FILE": str(self_signed(tmp_path, "other")[0])}):
        result = stackworks("stack", "create", "never", env=cli_env(server, tmp_path, **extra))
        assert result.returncode == 2
        assert result.stderr.startswith(f"error: the TLS certificate of {server.url}")
        assert "certificate verify failed" in result.stderr
        assert "--ca-file" in result.stderr
        assert "Traceback" not in result.stderr
    assert "never" not in [s["name"] for s in server.call("GET", "/stacks", expect=200)]


def test_an_agent_registers_and_heartbeats_over_https(
    server: ServerProcess, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    server.call("POST", "/stacks", {"name": "tls2"}, expect=201)
    server.call("POST", "/stacks/tls2/layers", {"shortname": "web"}, expect=201)
    issued = server.call(
        "POST", "/stacks/tls2/registration-tokens", {"expires_in": 600}, expect=201
    )
    config = tmp_path / "agent" / "agent.json"
    register = [
        "agent",
        "register",
        "--server",
        server.url,
        "--stack",
        "tls2",
        "--layers",
        "web",
        "--token",
        issued["token"],
        "--hostname",
        "host1",
        "--private-ip",
        "127.0.0.1",
        "--config",
        str(config),
    ]
    refused = stackworks(*register, env={})
    assert refused.returncode != 0
    assert "TLS certificate" in refused.stderr and "--ca-file" in refused.stderr
    assert not config.exists()

    done = stackworks(*register, "--ca-file", str(certificate[0]), env={})
    assert done.returncode == 0, done.stderr
    assert json.loads(config.read_text())["ca_file"] == str(certificate[0].resolve())
    agent = subprocess.Popen(
        [sys.executable, "-m", "stackworks", "agent", "run", "--config", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(
            lambda: server.instances("tls2")["host1"]["last_heartbeat_at"] is not None,
            30,
            interval=0.2,
            what="the agent's first heartbeat over https",
        )
    finally:
        end_session(agent.pid, grace=15)  # its own session: the sid is its pid
        agent.wait(timeout=5)


def test_local_instances_of_an_https_server_get_its_url_and_ca_file(
    certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    db, settings = prepare(tmp_path / "d", "127.0.0.1:8443", None, ServerTls(*certificate))
    assert settings.server_url == "https://127.0.0.1:8443"
    provider = FakeProvider()
    app = create_app(db, settings, {"local": provider}, run_orchestrator=False)
    with TestClient(app) as client:
        api = Api(
            client,
            (tmp_path / "d" / "admin-token").read_text().strip(),
            provider,
            app.state.orchestrator,
            db,
        )
        make_stack(api, "tls3")
        make_layer(api, "tls3", "web")
        hostname = make_instance(api, "tls3", ["web"])
        assert api.post(f"/stacks/tls3/instances/{hostname}/start").status_code == 200
        api.tick()
    (config,) = provider.agent_configs.values()
    assert config.server_url == "https://127.0.0.1:8443"
    assert config.ca_file == certificate[0].resolve()
    db.dispose()


def test_a_server_given_a_key_that_is_not_its_certificates_refuses_to_start(
    certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    _, other_key = self_signed(tmp_path, "other")
    result = stackworks(
        "server",
        "--data-dir",
        str(tmp_path / "d"),
        "--tls-cert",
        str(certificate[0]),
        "--tls-key",
        str(other_key),
        env={},
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: --tls-cert {certificate[0]} / --tls-key {other_key}")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "d").exists()
