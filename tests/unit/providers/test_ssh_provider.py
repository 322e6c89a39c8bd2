"""The ssh provider's steps over a recording session: what it checks, copies, writes and runs."""

from __future__ import annotations

import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from stackworks.domain.entities import Instance
from stackworks.domain.ssh_targets import SshAccess, parse_target
from stackworks.domain.status import InstanceStatus
from stackworks.providers import agent_wheels, ssh
from stackworks.providers.base import StartFailed
from stackworks.providers.ssh_commands import UNIT_PATH
from stackworks.providers.ssh_session import HostUnreachable, RemoteResult
from stackworks.wire.agent_config import AgentConfig

PROBE = "system=Linux\nmachine={machine}\npython=3.11\nvenv=yes\nfree_mib=9000\n{systemd}"


class FakeSession:
    """Answers like a fresh Debian host; records every command and file."""

    def __init__(self, hostname: str, access: SshAccess, *, systemd: bool) -> None:
        self.hostname = hostname
        self.target = access.target
        self.seen_host_key = "SHA256:" + "h" * 43
        self.systemd = systemd
        self.commands: list[list[str]] = []
        self.files: dict[str, tuple[bytes, int]] = {}
        self.copied: list[str] = []

    def __enter__(self) -> FakeSession:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def run(self, argv: Sequence[str], *, timeout: float = 0) -> RemoteResult:
        self.commands.append(list(argv))
        out, code = "", 0
        if argv[:2] == ["sh", "-c"] and "uname" in argv[2]:
            out = PROBE.format(
                machine=platform.machine(), systemd="systemd=yes\n" if self.systemd else ""
            )
        elif "importlib.metadata" in " ".join(argv) or argv[-1] == "pass":
            code = 1  # no virtualenv yet
        elif "kill -0" in " ".join(argv):
            code = 1  # no supervisord running
        elif "status" in argv:
            out = "stackworks-agent  RUNNING  pid 7"
        return RemoteResult(tuple(argv), code, out, "")

    def check(self, argv: Sequence[str], what: str, *, timeout: float = 0) -> str:
        return self.run(argv).stdout

    def sizes(self, directory: str) -> dict[str, int]:
        return {}

    def put_file(self, local: str, path: str) -> None:
        self.copied.append(path)

    def write(self, path: str, data: bytes, mode: int) -> None:
        self.files[path] = (data, mode)


class Book:
    def __init__(self) -> None:
        self.access_ = SshAccess(parse_target("root@10.248.0.11"), "KEY", None)
        self.pins: list[str] = []

    def access(self, instance_id: str) -> SshAccess:
        return self.access_

    def pin(self, instance_id: str, fingerprint: str) -> None:
        self.pins.append(fingerprint)


INSTANCE = Instance(
    id="i1",
    stack_id="s1",
    hostname="app1",
    layers=("app",),
    status=InstanceStatus.PENDING,
    provider="ssh",
    private_ip="10.248.0.11",
)
CONFIG = AgentConfig(
    server_url="http://10.248.0.1:8700",
    instance_id="i1",
    hostname="app1",
    stack_id="s1",
    credential="swi_secret_credential",
)


@pytest.fixture
def sessions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[FakeSession]:
    made: list[FakeSession] = []
    wheel = tmp_path / "stackworks-0.1.0+gabc-py3-none-any.whl"
    wheel.write_bytes(b"wheel")
    pip = tmp_path / "pip-24.0-py3-none-any.whl"
    pip.write_bytes(b"pip")
    house = agent_wheels.Wheelhouse(version="0.1.0+gabc", files=(wheel, pip))
    monkeypatch.setattr(agent_wheels, "ensure", lambda cache: house)
    return made


def provider(
    monkeypatch: pytest.MonkeyPatch, made: list[FakeSession], tmp_path: Path, **kw: Any
) -> tuple[ssh.SshProvider, Book]:
    def session(hostname: str, access: SshAccess) -> FakeSession:
        made.append(FakeSession(hostname, access, **kw))
        return made[-1]

    monkeypatch.setattr(ssh, "SshSession", session)
    book = Book()
    return ssh.SshProvider(tmp_path, book, wheel_cache=tmp_path), book


def test_start_installs_configures_and_starts_supervisord_without_systemd(
    monkeypatch: pytest.MonkeyPatch, sessions: list[FakeSession], tmp_path: Path
) -> None:
    made, book = provider(monkeypatch, sessions, tmp_path, systemd=False)
    result = made.start(INSTANCE, CONFIG)
    assert result.root_dir == "/opt/stackworks/instance"
    assert result.private_ip == "10.248.0.11"
    assert book.pins == ["SHA256:" + "h" * 43]  # pinned on first use
    [session] = sessions
    assert session.copied == [
        "/opt/stackworks/wheels/stackworks-0.1.0+gabc-py3-none-any.whl",
        "/opt/stackworks/wheels/pip-24.0-py3-none-any.whl",
    ]
    ran = [" ".join(c) for c in session.commands]
    assert any(
        c.startswith("python3 -m venv --clear --without-pip /opt/stackworks/venv") for c in ran
    )
    assert any("stackworks==0.1.0+gabc" in c and "--no-index" in c for c in ran)
    assert any(c.endswith("supervisor.supervisord -c /opt/stackworks/instance/etc/supervisord.conf")
               for c in ran)  # fmt: skip
    config, mode = session.files["/opt/stackworks/instance/agent/agent.json"]
    assert mode == 0o600 and b"swi_secret_credential" in config
    assert b'"state_dir": "/opt/stackworks/instance/agent"' in config
    conf, _ = session.files["/opt/stackworks/instance/etc/supervisord.conf"]
    assert b"nodaemon=false" in conf
    assert UNIT_PATH not in session.files
    assert not any("swi_secret_credential" in c for c in ran)  # never on a command line


def test_start_with_systemd_installs_and_enables_the_unit(
    monkeypatch: pytest.MonkeyPatch, sessions: list[FakeSession], tmp_path: Path
) -> None:
    made, _ = provider(monkeypatch, sessions, tmp_path, systemd=True)
    made.start(INSTANCE, CONFIG)
    [session] = sessions
    assert UNIT_PATH in session.files
    assert ["systemctl", "enable", "--now", "stackworks-agent.service"] in session.commands
    conf, _ = session.files["/opt/stackworks/instance/etc/supervisord.conf"]
    assert b"nodaemon=true" in conf


def test_a_host_that_cannot_run_the_agent_fails_the_start_naming_every_reason(
    monkeypatch: pytest.MonkeyPatch, sessions: list[FakeSession], tmp_path: Path
) -> None:
    made, _ = provider(monkeypatch, sessions, tmp_path, systemd=False)
    monkeypatch.setattr(agent_wheels, "agent_python", lambda: (3, 12))
    monkeypatch.setattr(agent_wheels, "agent_machine", lambda: "riscv64")
    with pytest.raises(StartFailed) as failed:
        made.start(INSTANCE, CONFIG)
    message = str(failed.value)
    assert message.startswith("app1: root@10.248.0.11 cannot run the agent: ")
    assert "python3 is 3.11, but the server's agent wheels are for 3.12" in message
    assert "the machine is" in message and "riscv64" in message
    assert sessions[0].copied == []  # nothing installed


def test_stop_of_an_unreachable_host_counts_as_stopped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def unreachable(hostname: str, access: SshAccess) -> FakeSession:
        raise HostUnreachable(f"{hostname}: cannot connect to {access.target}: no route")

    monkeypatch.setattr(ssh, "SshSession", unreachable)
    made = ssh.SshProvider(tmp_path, Book(), wheel_cache=tmp_path)
    made.stop(INSTANCE)  # no exception: the orchestrator records the instance stopped
    made.delete(INSTANCE)
    assert made.is_running(INSTANCE) is False


def test_delete_stops_then_removes_what_it_installed(
    monkeypatch: pytest.MonkeyPatch, sessions: list[FakeSession], tmp_path: Path
) -> None:
    made, _ = provider(monkeypatch, sessions, tmp_path, systemd=True)
    made.delete(INSTANCE)
    ran = sessions[0].commands
    assert ["systemctl", "stop", "stackworks-agent.service"] in ran
    assert ["rm", "-f", "--", UNIT_PATH] in ran
    removal = ran[-1]
    assert removal[-3:] == [
        "/opt/stackworks/wheels",
        "/opt/stackworks/venv",
        "/opt/stackworks/instance",
    ]
