"""What the SSH provider runs and writes on a host, as argv lists and file contents.

Nothing here talks to a host, so every command can be checked by a unit test. A remote command
is an argv list; `remote(argv)` makes the one string SSH carries with `shlex.join`, so a value
(a path, a version) is always one word to the host's shell. The two small shell scripts below
are constants: they take their values as positional arguments ("$1"), never pasted in.

On the host (`HostLayout`, prefix /opt/stackworks by default):

    <prefix>/wheels/      the agent's wheel and its dependencies, copied over SFTP
    <prefix>/venv/        the virtualenv the agent runs from (pip --no-index from wheels/)
    <prefix>/instance/    the instance's tree, as a local instance's (providers/local_layout.py):
                          srv/ etc/supervisord.conf etc/supervisor.d/ var/log/ run/ agent/
    /etc/systemd/system/stackworks-agent.service   on a host that runs systemd

The instance's own supervisord runs the agent and every service its recipes declare; systemd,
where there is one, runs that supervisord (so the host's boot starts it again).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stackworks.providers.local_layout import SUBDIRS, InstanceLayout

DEFAULT_PREFIX = "/opt/stackworks"
UNIT_NAME = "stackworks-agent.service"
UNIT_PATH = f"/etc/systemd/system/{UNIT_NAME}"
AGENT_DISTRIBUTION = "stackworks"

#: prints key=value lines for domain.ssh_targets.parse_facts; $1 is where the agent would go
PROBE_SCRIPT = r"""
echo "system=$(uname -s)"
echo "machine=$(uname -m)"
if [ -r /etc/os-release ]; then . /etc/os-release; echo "distribution=${PRETTY_NAME:-}"; fi
if command -v python3 >/dev/null 2>&1; then
  echo "python=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 && echo "venv=yes"
fi
d="$1"; while [ ! -d "$d" ]; do d=$(dirname "$d"); done
df -Pm "$d" | awk 'NR==2 { print "free_mib=" $4 }'
[ -d /run/systemd/system ] && echo "systemd=yes"
exit 0
"""

#: removes $2... (each on the prefix's own file system), then the prefix $1 if it is empty
REMOVE_SCRIPT = (
    'prefix="$1"; shift; rm -rf --one-file-system -- "$@"; rmdir -- "$prefix" 2>/dev/null; exit 0'
)

#: exit 0 while the process in pidfile $1 lives
ALIVE_SCRIPT = 'test -r "$1" && kill -0 "$(cat "$1")" 2>/dev/null'


def remote(argv: Sequence[str]) -> str:
    """The command line SSH sends for `argv`: each element one shell word."""
    return shlex.join(argv)


def shell(script: str, *args: str) -> list[str]:
    """argv running a constant `script` with `args` as $1, $2 ...; never pastes them in."""
    return ["sh", "-c", script, "stackworks", *args]


@dataclass(frozen=True)
class HostLayout:
    """Where the agent and the instance's files live on an ssh host."""

    prefix: str = DEFAULT_PREFIX

    @property
    def wheels(self) -> str:
        return f"{self.prefix}/wheels"

    @property
    def venv(self) -> str:
        return f"{self.prefix}/venv"

    @property
    def python(self) -> str:
        return f"{self.venv}/bin/python"

    @property
    def instance(self) -> InstanceLayout:
        return InstanceLayout(Path(self.root_dir))

    @property
    def root_dir(self) -> str:
        return f"{self.prefix}/instance"

    # --- commands ---------------------------------------------------------------------------

    def probe(self) -> list[str]:
        return shell(PROBE_SCRIPT, self.prefix)

    def make_dirs(self) -> list[str]:
        root = self.instance.root
        dirs = [self.wheels, *(str(root / name) for name in SUBDIRS)]
        return ["mkdir", "-p", *dirs]

    def protect_agent_dir(self) -> list[str]:
        return ["chmod", "700", str(self.instance.root / "agent")]

    def installed_version(self) -> list[str]:
        return [
            self.python,
            "-c",
            "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))",
            AGENT_DISTRIBUTION,
        ]

    def make_venv(self) -> list[str]:
        """Without pip: ensurepip takes half a minute on a small host; pip comes from wheels/."""
        return ["python3", "-m", "venv", "--clear", "--without-pip", self.venv]

    def install_agent(self, version: str, pip_wheel: str) -> list[str]:
        """pip run from its own wheel installs the agent, and pip itself, into the venv."""
        return [
            self.python,
            f"{self.wheels}/{pip_wheel}/pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",  # Python compiles what the agent imports, on first import
            "--no-index",
            "--find-links",
            self.wheels,
            f"{AGENT_DISTRIBUTION}=={version}",
            "pip",
        ]

    def supervisorctl(self, *args: str) -> list[str]:
        conf = str(self.instance.supervisord_conf)
        return [self.python, "-m", "supervisor.supervisorctl", "-c", conf, *args]

    def start_supervisord(self) -> list[str]:
        """Started by hand where there is no systemd: it daemonizes (supervisord.conf says so)."""
        conf = str(self.instance.supervisord_conf)
        return [self.python, "-m", "supervisor.supervisord", "-c", conf]

    def supervisord_alive(self) -> list[str]:
        return shell(ALIVE_SCRIPT, str(self.instance.pidfile))

    def kill_supervisord(self) -> list[str]:
        return shell('test -r "$1" && kill -KILL "$(cat "$1")"; exit 0', str(self.instance.pidfile))

    def remove(self) -> list[str]:
        """Everything the provider made under the prefix, then the prefix if it is left empty."""
        return shell(REMOVE_SCRIPT, self.prefix, self.wheels, self.venv, self.root_dir)

    def supervisord_config(self, *, daemon: bool) -> str:
        """The instance's supervisord.conf: as a local instance's, run by the host's venv."""
        return self.instance.supervisord_config(python=self.python, daemon=daemon)

    def systemd_unit(self, hostname: str) -> str:
        return "\n".join(
            [
                "# written by the stackworks ssh provider; removed when the instance is deleted",
                "[Unit]",
                f"Description=Stackworks agent of {hostname} (its instance's supervisord)",
                "Wants=network-online.target",
                "After=network-online.target",
                "",
                "[Service]",
                "Type=simple",
                f"ExecStart={remote(self.start_supervisord())}",
                f"ExecStop={remote(self.supervisorctl('shutdown'))}",
                "KillMode=mixed",
                "TimeoutStopSec=90",
                "Restart=on-failure",
                f"Environment=STACKWORKS_INSTANCE_ROOT={self.root_dir}",
                "",
                "[Install]",
                "WantedBy=multi-user.target",
                "",
            ]
        )


def systemctl(*args: str) -> list[str]:
    return ["systemctl", *args]


def remove_unit() -> list[str]:
    return ["rm", "-f", "--", UNIT_PATH]
