"""Declarations the zeoserver recipes share: its settings, venv, zeo.conf and service.

ZEO runs from its own virtualenv, `<srv>/zeoserver/venv`, with ZEO and ZODB pinned (by the
`zeoserver.constraints` file when set, else `zeo_version` / `zodb_version`). The data lives
in `config.data_paths`; `runzeo -C zeo.conf` is the supervised program.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackworks.cookbooks.zeoserver import config
from stackworks.cookbooks.zeoserver.attributes import DEFAULTS
from stackworks.domain.attributes import deep_merge

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def settings(r: Recipe) -> dict[str, Any]:
    """The `zeoserver` attributes as a plain dict, over the cookbook's defaults."""
    return deep_merge(DEFAULTS["zeoserver"], _plain(r.node.get("zeoserver") or {}))


def home(r: Recipe) -> Path:
    return Path(r.roots["srv"]) / "zeoserver"


def venv(r: Recipe) -> Path:
    return home(r) / "venv"


def program(r: Recipe, name: str) -> str:
    """A console script of the ZEO venv (runzeo, repozo, zeopack)."""
    return str(venv(r) / "bin" / name)


def conf_path(r: Recipe) -> Path:
    return Path(r.roots["etc"]) / "zeoserver" / "zeo.conf"


def data(r: Recipe) -> config.DataPaths:
    mount_point = str(settings(r)["volume_mount_point"])
    return config.data_paths(r.roots["srv"], r.stack.self.get("volumes") or (), mount_point)


def shared_blob_dir(r: Recipe) -> str | None:
    """`plone_instances.nfs_blobs`: a directory the server and every client share for blobs."""
    value = (r.node.get("plone_instances") or {}).get("nfs_blobs")
    return str(value) if value else None


def install(r: Recipe) -> None:
    """ZEO and ZODB in the venv, pinned; a second run finds them installed and does nothing."""
    s = settings(r)
    python = str(s.get("python") or sys.executable)
    target = venv(r)
    r.directory(str(home(r)), mode=0o755)
    r.execute(
        "zeoserver virtualenv",
        command=[python, "-m", "venv", "--without-pip", str(target)],
        creates=str(target / "bin" / "python"),
    )
    if s.get("constraints"):
        r.package(
            ["ZODB", "ZEO"], provider="pip", venv=str(target), options=["-c", s["constraints"]]
        )
    else:
        r.package("ZODB", provider="pip", venv=str(target), version=str(s["zodb_version"]))
        r.package("ZEO", provider="pip", venv=str(target), version=str(s["zeo_version"]))


def configure(r: Recipe, action: tuple[str, ...] | str = ("enable", "start")) -> Any:
    """zeo.conf from the stack, the data directories, and the runzeo service with `action`;
    a changed zeo.conf restarts the server (clients reconnect by themselves)."""
    s = settings(r)
    paths = data(r)
    blob_dir = shared_blob_dir(r)
    address = str(r.stack.self.get("private_ip") or "")
    if not address:
        r.fail(f"instance {r.stack.self.get('hostname')} has no private_ip for ZEO to bind to")
    try:
        text = config.render_zeo_conf(
            address=address,
            port=s["port"],
            data=paths,
            blob_dir=blob_dir,
            log=str(Path(r.roots["log"]) / "zeoserver-event.log"),
            pid=str(Path(r.roots["run"]) / "zeoserver.pid"),
        )
    except ValueError as error:
        r.fail(str(error))
        raise
    for directory in (paths.var, str(Path(paths.filestorage).parent), paths.backups):
        r.directory(directory, mode=0o750)
    r.directory(blob_dir or paths.blobstorage, mode=0o700)
    r.directory(str(conf_path(r).parent), mode=0o755)
    conf = r.file(str(conf_path(r)), content=text, mode=0o644)
    r.log(f"zeoserver: {address}:{s['port']}, data in {paths.var}")
    handle = service(r, action)
    conf.notifies("restart", handle)
    return handle


def service(r: Recipe, action: tuple[str, ...] | str) -> Any:
    return r.service(
        config.SERVICE,
        command=[program(r, "runzeo"), "-C", str(conf_path(r))],
        directory=str(home(r)),
        environment={"PATH": f"{venv(r)}/bin:/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
        action=action,
        stop_signal="TERM",
        stop_timeout=30,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
