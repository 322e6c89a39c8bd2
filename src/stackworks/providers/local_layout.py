"""Where a local instance's files live, and the supervisord configuration that runs it.

    <data_dir>/instances/<stack_id>/<hostname>/
        srv/  etc/supervisord.conf  etc/supervisor.d/*.conf  var/log/  run/  agent/agent.json

Recipes write under this root (the configuration's `self.roots`), the instance's own
supervisord runs the agent and every service the recipes declare (etc/supervisor.d/).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_SOCKET_PATH = 100
SHORT_SOCKET_DIR = Path("/tmp/stackworks-sockets")

SUBDIRS = ("srv", "etc", "etc/supervisor.d", "var", "var/log", "run", "agent")


def _ini(value: str) -> str:
    """A value for supervisor's ini file, where `%` starts an expansion."""
    return value.replace("%", "%%")


@dataclass(frozen=True)
class InstanceLayout:
    root: Path

    @classmethod
    def under(cls, data_dir: Path, stack_id: str, hostname: str) -> InstanceLayout:
        for label, part in (("stack id", stack_id), ("hostname", hostname)):
            if not part or "/" in part or part in (".", ".."):
                raise ValueError(f"{label} {part!r} cannot name a directory")
        return cls(data_dir / "instances" / stack_id / hostname)

    @property
    def agent_config(self) -> Path:
        return self.root / "agent" / "agent.json"

    @property
    def supervisord_conf(self) -> Path:
        return self.root / "etc" / "supervisord.conf"

    @property
    def pidfile(self) -> Path:
        return self.root / "run" / "supervisord.pid"

    @property
    def socket(self) -> Path:
        """run/supervisor.sock, unless that path is too long for a unix socket (108 bytes on
        Linux); then a short one named after the root. Everyone reaches it via supervisord.conf."""
        wanted = self.root / "run" / "supervisor.sock"
        if len(os.fsencode(wanted)) <= MAX_SOCKET_PATH:
            return wanted
        digest = hashlib.sha256(os.fsencode(self.root)).hexdigest()[:20]
        return SHORT_SOCKET_DIR / f"{digest}.sock"

    @property
    def session_file(self) -> Path:
        """The session id of the instance's processes, written when it starts (sessions.py)."""
        return self.root / "run" / "session.json"

    @property
    def supervisord_output(self) -> Path:
        return self.root / "var" / "log" / "supervisord.out"

    def make_tree(self) -> None:
        for name in SUBDIRS:
            (self.root / name).mkdir(parents=True, exist_ok=True)
        (self.root / "agent").chmod(0o700)
        self.socket.parent.mkdir(mode=0o700, parents=True, exist_ok=True)

    def supervisord_config(self, *, python: str = sys.executable, daemon: bool = False) -> str:
        """The instance's supervisord.conf: its own socket, logs and pidfile, and the agent.

        `python` runs the agent (an ssh host's venv); `daemon` makes supervisord detach itself,
        for an ssh host without systemd, where nothing else keeps it in the foreground."""
        root = str(self.root)
        agent_command = shlex.join(
            [python, "-m", "stackworks", "agent", "run", "--config", str(self.agent_config)]
        )
        environment = f'STACKWORKS_INSTANCE_ROOT="{_ini(root)}"'
        return "\n".join(
            [
                "; written by the stackworks provider at each start",
                "[supervisord]",
                f"nodaemon={'false' if daemon else 'true'}",
                f"pidfile={_ini(str(self.pidfile))}",
                f"logfile={_ini(str(self.root / 'var/log/supervisord.log'))}",
                f"childlogdir={_ini(str(self.root / 'var/log'))}",
                f"directory={_ini(root)}",
                f"environment={environment}",
                "",
                "[unix_http_server]",
                f"file={_ini(str(self.socket))}",
                "chmod=0700",
                "",
                "[rpcinterface:supervisor]",
                "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
                "",
                "[supervisorctl]",
                f"serverurl=unix://{_ini(str(self.socket))}",
                "",
                "[program:stackworks-agent]",
                f"command={_ini(agent_command)}",
                f"directory={_ini(str(self.root / 'agent'))}",
                "autostart=true",
                # a crash restarts the agent; a refused credential (exit 3) leaves it stopped
                "autorestart=unexpected",
                "exitcodes=0,3",
                "startsecs=5",
                "stopsignal=TERM",
                "stopwaitsecs=30",
                "stopasgroup=true",
                "killasgroup=true",
                "redirect_stderr=true",
                f"stdout_logfile={_ini(str(self.root / 'var/log/agent.log'))}",
                "stdout_logfile_maxbytes=10MB",
                f"environment={environment}",
                "",
                "[include]",
                f"files={_ini(str(self.root / 'etc/supervisor.d'))}/*.conf",
                "",
            ]
        )
