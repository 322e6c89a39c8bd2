"""Helpers of the cookbook integration tests: instances, git repositories, configurations.

Each instance root has the layout the local provider gives a local instance (etc, srv, var/log,
run) and a supervisord started in a new session, ended by its session id at teardown. The
sample app becomes a git repository in tmp. Addresses are 127.77.x.y, never 127.0.0.1.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAMPLE_APP = Path(__file__).resolve().parents[3] / "examples" / "sample_app"
COOKBOOKS = Path(__file__).resolve().parents[3] / "src" / "stackworks" / "cookbooks"
GIT = "/usr/bin/git"


@dataclass
class Instance:
    """One instance under test: its roots and how to reach its supervisord."""

    hostname: str
    private_ip: str
    root: Path
    layers: list[str]

    @property
    def roots(self) -> dict[str, str]:
        return {
            "root": str(self.root),
            "srv": str(self.root / "srv"),
            "etc": str(self.root / "etc"),
            "var": str(self.root / "var"),
            "log": str(self.root / "var/log"),
            "run": str(self.root / "run"),
        }

    def describe(self) -> dict[str, Any]:
        return {
            "id": f"id-{self.hostname}",
            "hostname": self.hostname,
            "private_ip": self.private_ip,
            "status": "online",
            "layers": list(self.layers),
        }

    def supervisorctl(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "supervisor.supervisorctl", "-c", str(self.conf), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return done.stdout

    @property
    def conf(self) -> Path:
        return self.root / "etc" / "supervisord.conf"


def write_supervisord_conf(instance: Instance) -> None:
    for sub in ("etc/supervisor.d", "srv", "var/log", "run"):
        (instance.root / sub).mkdir(parents=True, exist_ok=True)
    socket = instance.root / "run" / "supervisor.sock"
    instance.conf.write_text(
        "\n".join(
            [
                "[supervisord]",
                f"logfile={instance.root / 'var/log/supervisord.log'}",
                f"pidfile={instance.root / 'run/supervisord.pid'}",
                "nodaemon=true",
                "",
                "[unix_http_server]",
                f"file={socket}",
                "chmod=0700",
                "",
                "[rpcinterface:supervisor]",
                "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
                "",
                "[supervisorctl]",
                f"serverurl=unix://{socket}",
                "",
                "[include]",
                f"files={instance.root / 'etc/supervisor.d'}/*.conf",
                "",
            ]
        )
    )


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        [GIT, "-C", str(repo), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(repo.parent)},
    )
    return done.stdout.strip()


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(
        repo,
        "-c",
        "user.name=Test",
        "-c",
        "user.email=test@example.invalid",
        "commit",
        "--quiet",
        "-m",
        message,
    )
    return git(repo, "rev-parse", "HEAD")


def project_repository(project: Path, where: Path, message: str) -> Path:
    """A copy of the example project `project` committed on branch main at `where`."""
    shutil.copytree(project, where, ignore=shutil.ignore_patterns("__pycache__"))
    git(where, "init", "--quiet", "--initial-branch=main")
    commit(where, message)
    return where


def configuration(
    instance: Instance,
    instances: list[Instance],
    *,
    repo_url: str,
    attributes: dict[str, Any],
    deploy: bool = True,
    command: str = "deploy",
) -> dict[str, Any]:
    """A stack configuration (the shape of stack_config.build_configuration) for `instance`."""
    layers: dict[str, Any] = {
        "web": {"id": "l-web", "name": "Web", "type": "python-app", "instances": {}},
        "lb": {"id": "l-lb", "name": "LB", "type": "lb", "instances": {}},
    }
    for other in instances:
        for layer in other.layers:
            layers[layer]["instances"][other.hostname] = other.describe()
    return {
        "stackworks": {
            "version": "test",
            "service_manager": "supervisor",
            "packages": [],
            "cookbook_sources": [],
        },
        "attributes": attributes,
        "stack": {"id": "s-1", "name": "demo"},
        "layers": layers,
        "instances": {i.hostname: i.describe() for i in instances},
        "apps": {
            "shop": {
                "id": "a-1",
                "name": "Shop",
                "source": {"type": "git", "url": repo_url, "revision": "main"},
                "environment": {"GREETING": "hello", "API_TOKEN": "top-secret-value"},
                "secure_keys": ["API_TOKEN"],
                "layers": ["web"],
                "domains": [],
                "attributes": {},
                "deploy": deploy,
            }
        },
        "self": {**instance.describe(), "roots": instance.roots},
        "command": {"id": "c-1", "type": command, "args": {}, "reason": ""},
        "deployment": None,
    }
