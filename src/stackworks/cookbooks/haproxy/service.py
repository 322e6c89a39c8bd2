"""How the haproxy recipes run HAProxy: one definition shared by configure and stop.

HAProxy runs in the foreground (`-db`) in master-worker mode (`-W`) under the service manager.
USR2 makes the master re-read the configuration and start new workers while the old ones
finish the connections they hold: a reload that drops nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackworks.converge import Recipe


SERVICE = "haproxy"
_SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")


def config_path(r: Recipe) -> Path:
    return Path(r.roots["etc"]) / "haproxy" / "haproxy.cfg"


#: the longest `stats socket` path HAProxy accepts ("too long (max 97)" past it: a unix
#: socket's 108 bytes less its own suffix for the temporary socket it binds first)
MAX_SOCKET_PATH = 97


def runtime_socket(r: Recipe) -> str:
    """HAProxy's runtime API socket: in the instance's run dir, unless that path is longer
    than HAProxy takes (MAX_SOCKET_PATH); then a short one named after it under /tmp."""
    wanted = Path(r.roots["run"]) / "haproxy.sock"
    if len(os.fsencode(wanted)) <= MAX_SOCKET_PATH:
        return str(wanted)
    digest = hashlib.sha256(os.fsencode(wanted)).hexdigest()[:20]
    short = Path(tempfile.gettempdir()) / "stackworks-sockets"
    short.mkdir(mode=0o700, exist_ok=True)
    return str(short / f"{digest}-haproxy.sock")


def binary(r: Recipe) -> str:
    """The HAProxy program as an absolute path (service managers want one)."""
    name = str(r.node["haproxy"]["binary"])
    search = os.pathsep.join([os.environ.get("PATH", ""), *_SBIN])
    found = shutil.which(name, path=search)
    if found is None:
        r.fail(
            f"haproxy.binary: {name!r} is not installed (looked on PATH and in {', '.join(_SBIN)})"
        )
        raise FileNotFoundError(name)
    return found


def declare(r: Recipe, action: tuple[str, ...] | str) -> Any:
    """Declare the HAProxy service with `action`; returns its handle."""
    return r.service(
        SERVICE,
        command=[binary(r), "-W", "-db", "-f", str(config_path(r))],
        action=action,
        reload_signal="USR2",
        stop_signal="TERM",
    )


def runtime_action(r: Recipe, action: str) -> None:
    """Declare `drain` or `enable` of the app instance named by the command's args.server
    through HAProxy's runtime API (stackworks.cookbooks.haproxy.runtime)."""
    server = str(r.stack.command.get("args", {}).get("server", ""))
    if not server:
        r.fail(f"haproxy::{action} needs args.server: the hostname to {action}")
    r.execute(
        f"{action} {server}",
        command=[
            sys.executable,
            "-m",
            "stackworks.cookbooks.haproxy.runtime",
            runtime_socket(r),
            action,
            server,
            "--timeout",
            str(r.node["haproxy"][f"{action}_timeout"]),
        ],
    )
