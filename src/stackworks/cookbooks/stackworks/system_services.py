"""The distribution's own services of a package we run ourselves, switched off.

Debian's `nginx` and `varnish` packages start their service when installed and enable it at
boot: nginx on every address at port 80, varnishd at 6081 (admin 6082). Our nginx and
Varnish run as the instance's own supervised programs on its private address, at the same
ports by default, and a port already bound on every address cannot be bound again on one of
them: the supervised program would never start. So the setup recipes that install these
packages switch the distribution's service off after the install: `systemctl disable --now`
when systemd runs, else the package's init script (`service NAME stop`, `update-rc.d NAME
disable`). Under the systemd service manager nothing is done: our unit of the same name
(`<etc>/systemd/system/NAME.service`) takes the distribution's place.

Run by the recipes as `python -m stackworks.cookbooks.stackworks.system_services on|off NAME`:
`on` exits 0 when the distribution's service runs or is enabled (the guard), `off` stops and
disables it and says what it did.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stackworks.converge import Recipe

MODULE = "stackworks.cookbooks.stackworks.system_services"
SYSTEMD_RUNTIME = Path("/run/systemd/system")  # present only while systemd is PID 1
INIT_D = Path("/etc/init.d")
RC_DIRS = tuple(Path(f"/etc/rc{level}.d") for level in "2345")
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
TIMEOUT = 60.0


@dataclass(frozen=True)
class ServiceState:
    """What the init system says of a distribution service."""

    systemd: bool
    running: bool
    enabled: bool
    #: no systemd and no init script: nothing could start it
    known: bool = True


def off_commands(name: str, state: ServiceState) -> list[list[str]]:
    """The argvs that stop and disable `name`; none when it neither runs nor is enabled."""
    if not state.known or not (state.running or state.enabled):
        return []
    if state.systemd:
        return [["systemctl", "disable", "--now", f"{name}.service"]]
    commands: list[list[str]] = []
    if state.running:
        commands.append(["service", name, "stop"])
    if state.enabled:
        commands.append(["update-rc.d", name, "disable"])
    return commands


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
        env={"PATH": PATH, "LC_ALL": "C"},
    )


def current_state(name: str) -> ServiceState:
    """Ask systemd (when it runs) or the init script what `name` is doing."""
    if SYSTEMD_RUNTIME.is_dir():
        unit = f"{name}.service"
        enabled = _run(["systemctl", "is-enabled", unit]).stdout.strip()
        active = _run(["systemctl", "is-active", unit]).stdout.strip()
        return ServiceState(
            systemd=True,
            running=active in ("active", "activating", "reloading"),
            enabled=enabled in ("enabled", "enabled-runtime"),
        )
    if not (INIT_D / name).exists():
        return ServiceState(systemd=False, running=False, enabled=False, known=False)
    started = _run(["service", name, "status"]).returncode == 0
    at_boot = any(rc.is_dir() and any(rc.glob(f"S??{name}")) for rc in RC_DIRS)
    return ServiceState(systemd=False, running=started, enabled=at_boot)


def switch_off(r: Recipe, name: str) -> None:
    """Declare: the distribution's service `name` stopped and disabled, only when it runs or
    is enabled and our own programs run under supervisord (see the module's docstring)."""
    if r.service_manager != "supervisor":
        return
    command = [sys.executable, "-m", MODULE]
    r.execute(
        f"stop and disable the distribution's {name} service (ours runs under supervisord)",
        command=[*command, "off", name],
        only_if=[*command, "on", name],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=MODULE)
    parser.add_argument("action", choices=("on", "off"))
    parser.add_argument("name")
    args = parser.parse_args(argv)
    state = current_state(args.name)
    commands = off_commands(args.name, state)
    if args.action == "on":
        return 0 if commands else 1
    if not commands:
        print(f"the distribution's {args.name} service neither runs nor is enabled")
        return 0
    for command in commands:
        done = _run(command)
        if done.returncode != 0:
            print(f"{' '.join(command)} failed: {done.stderr.strip()}", file=sys.stderr)
            return 1
        print(f"done: {' '.join(command)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
