"""What the ssh provider runs on a host: argv lists, each value one shell word."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from stackworks.providers import ssh_commands
from stackworks.providers.ssh_commands import PROBE_SCRIPT, HostLayout, remote, shell

ODD = "/srv/it's $(here); rm -rf /"


def test_a_remote_command_keeps_every_value_one_word() -> None:
    line = remote(["mkdir", "-p", ODD])
    assert shlex.split(line) == ["mkdir", "-p", ODD]


def test_a_script_takes_its_values_as_arguments_never_pasted_in() -> None:
    argv = shell('echo "$1"', ODD)
    assert argv == ["sh", "-c", 'echo "$1"', "stackworks", ODD]
    assert ODD not in argv[2]


def test_the_layout_puts_everything_under_the_prefix() -> None:
    layout = HostLayout("/opt/sw")
    assert layout.venv == "/opt/sw/venv" and layout.wheels == "/opt/sw/wheels"
    assert layout.root_dir == "/opt/sw/instance"
    assert str(layout.instance.agent_config) == "/opt/sw/instance/agent/agent.json"
    made = layout.make_dirs()
    assert made[:2] == ["mkdir", "-p"]
    assert all(path.startswith("/opt/sw/") for path in made[2:])
    assert "/opt/sw/instance/etc/supervisor.d" in made


def test_the_agent_is_installed_offline_at_exactly_the_servers_version() -> None:
    argv = HostLayout("/opt/sw").install_agent("0.1.0+gabc", "pip-24.0-py3-none-any.whl")
    assert argv[:3] == [
        "/opt/sw/venv/bin/python",
        "/opt/sw/wheels/pip-24.0-py3-none-any.whl/pip",
        "install",
    ]
    assert "--no-index" in argv
    assert argv[argv.index("--find-links") + 1] == "/opt/sw/wheels"
    assert argv[-2:] == ["stackworks==0.1.0+gabc", "pip"]
    assert "--without-pip" in HostLayout("/opt/sw").make_venv()


def test_removal_names_only_what_the_provider_made() -> None:
    layout = HostLayout(ODD)
    argv = layout.remove()
    assert argv[:2] == ["sh", "-c"]
    assert argv[3:] == [
        "stackworks",
        ODD,
        f"{ODD}/wheels",
        f"{ODD}/venv",
        f"{ODD}/instance",
    ]
    assert ODD not in argv[2]


def test_the_remove_script_removes_its_arguments_and_an_empty_prefix(tmp_path: Path) -> None:
    prefix = tmp_path / "odd $(name)"
    layout = HostLayout(str(prefix))
    for sub in ("wheels", "venv", "instance/agent"):
        (prefix / sub).mkdir(parents=True)
    (prefix / "venv" / "f").write_text("x")
    kept = tmp_path / "kept"
    kept.mkdir()
    subprocess.run(layout.remove(), check=True, timeout=10)
    assert not prefix.exists() and kept.exists()


def test_the_probe_passes_the_prefix_as_its_argument(tmp_path: Path) -> None:
    argv = HostLayout(str(tmp_path / "not yet" / "there")).probe()
    assert argv[2] == PROBE_SCRIPT
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=10).stdout
    assert "system=Linux" in out
    assert any(line.startswith("free_mib=") for line in out.splitlines())


def test_supervisord_daemonizes_only_where_there_is_no_systemd() -> None:
    layout = HostLayout("/opt/sw")
    assert "nodaemon=false" in layout.supervisord_config(daemon=True)
    foreground = layout.supervisord_config(daemon=False)
    assert "nodaemon=true" in foreground
    assert "/opt/sw/venv/bin/python -m stackworks agent run --config" in foreground
    assert 'STACKWORKS_INSTANCE_ROOT="/opt/sw/instance"' in foreground


def test_the_systemd_unit_runs_the_instances_supervisord() -> None:
    unit = HostLayout("/opt/sw").systemd_unit("app1")
    assert (
        "ExecStart=/opt/sw/venv/bin/python -m supervisor.supervisord -c "
        "/opt/sw/instance/etc/supervisord.conf"
    ) in unit
    assert "ExecStop=/opt/sw/venv/bin/python -m supervisor.supervisorctl" in unit
    assert "WantedBy=multi-user.target" in unit
    assert ssh_commands.remove_unit() == ["rm", "-f", "--", ssh_commands.UNIT_PATH]
