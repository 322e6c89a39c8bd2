"""A local instance's layout and supervisord configuration, without starting anything."""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

import pytest

from stackworks.providers.local import local_addresses
from stackworks.providers.local_layout import SHORT_SOCKET_DIR, InstanceLayout


def test_the_tree_lives_under_stack_and_hostname(tmp_path: Path) -> None:
    layout = InstanceLayout.under(tmp_path, "s-1", "web1")
    assert layout.root == tmp_path / "instances" / "s-1" / "web1"


@pytest.mark.parametrize("hostname", ["", "..", "a/b"])
def test_a_hostname_that_escapes_the_tree_is_refused(tmp_path: Path, hostname: str) -> None:
    with pytest.raises(ValueError, match="hostname"):
        InstanceLayout.under(tmp_path, "s-1", hostname)


def test_supervisord_conf_runs_the_agent_and_includes_services(tmp_path: Path) -> None:
    layout = InstanceLayout(tmp_path / "web1")
    parser = configparser.RawConfigParser()
    parser.read_string(layout.supervisord_config())
    agent = parser["program:stackworks-agent"]
    assert agent["command"].startswith(sys.executable + " -m stackworks agent run --config ")
    assert agent["command"].endswith(str(tmp_path / "web1" / "agent" / "agent.json"))
    assert agent["stopasgroup"] == agent["killasgroup"] == "true"
    assert agent["stdout_logfile"] == str(tmp_path / "web1" / "var" / "log" / "agent.log")
    assert str(tmp_path / "web1") in agent["environment"]
    assert parser["supervisord"]["nodaemon"] == "true"
    assert parser["include"]["files"] == str(tmp_path / "web1" / "etc" / "supervisor.d") + "/*.conf"
    assert parser["supervisorctl"]["serverurl"] == f"unix://{layout.socket}"


def test_a_percent_in_the_root_is_escaped_for_supervisor(tmp_path: Path) -> None:
    layout = InstanceLayout(tmp_path / "50%")
    assert "50%%" in layout.supervisord_config()


def test_a_too_long_socket_path_is_replaced_by_a_short_one(tmp_path: Path) -> None:
    short = InstanceLayout(Path("/srv/i"))
    assert short.socket == Path("/srv/i/run/supervisor.sock")
    deep = InstanceLayout(tmp_path / ("x" * 120))
    assert deep.socket.parent == SHORT_SOCKET_DIR
    assert deep.socket != InstanceLayout(tmp_path / ("y" * 120)).socket


def test_addresses_are_loopback_never_127_0_0_1() -> None:
    addresses = local_addresses()
    assert addresses[0] == "127.77.0.1"
    assert "127.0.0.1" not in addresses
    assert len(set(addresses)) == len(addresses) == 256 * 254
