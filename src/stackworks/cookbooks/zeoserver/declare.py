"""Declarations the zeoserver recipes share: its settings, venv, zeo.conf and service.

ZEO runs from its own virtualenv, `<srv>/zeoserver/venv`, with ZEO and ZODB pinned (by the
`zeoserver.constraints` file when set, else `zeo_version` / `zodb_version`). The data lives
in `config.data_paths`; `runzeo -C zeo.conf` is the supervised program.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackworks.cookbooks.python_app import source
from stackworks.cookbooks.zeoserver import config
from stackworks.cookbooks.zeoserver.attributes import DEFAULTS
from stackworks.cookbooks.zeoserver.backups import MODULE as BACKUPS
from stackworks.domain.attributes import deep_merge

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def settings(r: Recipe) -> dict[str, Any]:
    """The `zeoserver` attributes as a plain dict, over the cookbook's defaults."""
    return deep_merge(DEFAULTS["zeoserver"], _plain(r.node.get("zeoserver") or {}))


def home(r: Recipe) -> Path:
    return Path(r.roots["srv"]) / "zeoserver"


def venv(r: Recipe) -> Path:
    """The link to the venv in use: what the maintenance recipes run repozo and zeopack from."""
    return home(r) / "venv"


def program(r: Recipe, name: str) -> str:
    """A console script of the ZEO venv in use (repozo, zeopack)."""
    return str(venv(r) / "bin" / name)


def installed_key(r: Recipe) -> str | None:
    """The name of the venv in use (`venvs/<key>`), None before the first install."""
    link = venv(r)
    return Path(link.readlink()).name if link.is_symlink() else None


def conf_path(r: Recipe) -> Path:
    return Path(r.roots["etc"]) / "zeoserver" / "zeo.conf"


def data(r: Recipe) -> config.DataPaths:
    mount_point = str(settings(r)["volume_mount_point"])
    return config.data_paths(r.roots["srv"], r.stack.self.get("volumes") or (), mount_point)


def shared_blob_dir(r: Recipe) -> str | None:
    """`plone_instances.nfs_blobs`: a directory the server and every client share for blobs."""
    value = (r.node.get("plone_instances") or {}).get("nfs_blobs")
    return str(value) if value else None


def install(r: Recipe) -> str:
    """ZEO and ZODB in a venv of their own, `venvs/<key>`, pinned by the constraints (the
    `zeoserver.constraints` file, else the constraints.txt of an app deployed on this layer)
    or else at `zeo_version` / `zodb_version`; the key is a digest of those pins, so other
    pins make another venv and the same pins reuse the installed one. Returns the key."""
    s = settings(r)
    constraints = _constraints(r, s)
    pins = constraints or f"ZODB=={s['zodb_version']}\nZEO=={s['zeo_version']}\n"
    key = config.pins_key(pins)
    python = str(s.get("python") or sys.executable)
    target = home(r) / "venvs" / key
    r.directory(str(target.parent), mode=0o755)
    r.execute(
        "zeoserver virtualenv",
        command=[python, "-m", "venv", "--without-pip", str(target)],
        creates=str(target / "bin" / "python"),
    )
    if constraints is not None:
        pinned = home(r) / f"constraints-{key}.txt"
        r.file(str(pinned), content=constraints, mode=0o644)
        r.package(["ZODB", "ZEO"], provider="pip", venv=str(target), options=["-c", str(pinned)])
    else:
        r.package("ZODB", provider="pip", venv=str(target), version=str(s["zodb_version"]))
        r.package("ZEO", provider="pip", venv=str(target), version=str(s["zeo_version"]))
    r.link(str(venv(r)), to=f"venvs/{key}")
    return key


def _constraints(r: Recipe, s: dict[str, Any]) -> str | None:
    if s.get("constraints"):
        path = Path(str(s["constraints"]))
        try:
            return path.read_text()
        except OSError as error:
            r.fail(f"zeoserver.constraints: cannot read {path}: {error.strerror}")
    return app_constraints(r)


def app_constraints(r: Recipe) -> str | None:
    """The constraints.txt of the first app (by name) deployed on one of this instance's
    layers, read from the commit its revision names; None when there is no such app or file."""
    mine = set(r.stack.self.get("layers") or ())
    apps = _plain(r.stack.apps)
    for name in sorted(apps):
        app = apps[name]
        src = app.get("source") or {}
        if not set(app.get("layers") or ()) & mine or src.get("type", "git") != "git":
            continue
        mirror = home(r) / "repo.git"
        try:
            revision = str(src.get("revision") or "HEAD")
            facts = source.fetch(mirror, str(src.get("url", "")), revision)
        except source.SourceError as error:
            r.fail(f"app {name}: {error}")
            raise
        done = subprocess.run(
            ["git", "-C", str(mirror), "show", f"{facts.commit}:constraints.txt"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/local/bin:/usr/bin:/bin"},
        )
        r.log(f"zeoserver: ZEO pinned by app {name} at {facts.commit[:12]}")
        return done.stdout if done.returncode == 0 else None
    return None


def configure(
    r: Recipe, action: tuple[str, ...] | str = ("enable", "start"), key: str | None = None
) -> Any:
    """zeo.conf from the stack, the data directories, and the runzeo service of venv `key`
    (the one in use when not given; installed first if there is none) with `action`. A changed
    zeo.conf or venv restarts the server (clients reconnect by themselves); other venvs go."""
    key = key or installed_key(r) or install(r)
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
    owned = () if paths.on_volume else (paths.var,)
    for directory in (*owned, str(Path(paths.filestorage).parent), paths.backups):
        r.directory(directory, mode=0o750)
    # ZODB sets the blob directory's mode itself when the server opens it (0755)
    r.directory(blob_dir or paths.blobstorage, mode=None)
    r.directory(str(conf_path(r).parent), mode=0o755)
    conf = r.file(str(conf_path(r)), content=text, mode=0o644)
    r.log(f"zeoserver: {address}:{s['port']}, data in {paths.var}")
    handle = service(r, action, key)
    conf.notifies("restart", handle)
    schedule_maintenance(r)
    venvs = home(r) / "venvs"
    for old in sorted(venvs.iterdir()) if venvs.is_dir() else ():
        if old.name != key:
            r.directory(str(old), action="delete")
    return handle


def service(r: Recipe, action: tuple[str, ...] | str, key: str | None = None) -> Any:
    """The runzeo program; without `key` (to stop it) the definition in place is acted on."""
    if key is None:
        return r.service(config.SERVICE, action=action)
    return r.service(
        config.SERVICE,
        command=[str(home(r) / "venvs" / key / "bin" / "runzeo"), "-C", str(conf_path(r))],
        directory=str(home(r)),
        environment={"PATH": f"{home(r)}/venvs/{key}/bin:/usr/bin:/bin", "PYTHONUNBUFFERED": "1"},
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


def address(r: Recipe) -> str:
    """Where this ZEO server listens: its private address and `zeoserver.port`."""
    return f"{r.stack.self.get('private_ip')}:{settings(r)['port']}"


def pack_singleton(r: Recipe) -> str:
    """The instance of this ZEO layer that packs: the first online one by hostname (seed 001's
    `enable_pack` on one instance), or this one when the layer shows no other."""
    me = str(r.stack.self.get("hostname"))
    layers = [name for name in (r.stack.self.get("layers") or ()) if name in r.stack.layers]
    zeo_layers = [n for n in layers if r.stack.layers[n].get("type") == "zeoserver"] or layers
    instances = dict(r.stack.layers[zeo_layers[0]].get("instances") or {}) if zeo_layers else {}
    return (config.pack_singleton(instances) if instances else None) or me


def pack_command(r: Recipe, days: int) -> list[str]:
    return [program(r, "zeopack"), "-d", str(days), address(r)]


def schedule_maintenance(r: Recipe) -> None:
    """The scheduled repozo backup (every ZEO server) and zeopack (the pack singleton only):
    cron jobs of the instance, removed when switched off or when another instance packs."""
    s = settings(r)
    paths = data(r)
    if s["enable_backup"]:
        keep = config.positive(s["backup_keep"], "zeoserver.backup_keep")
        r.cron(
            "zeoserver-backup",
            command=[
                sys.executable,
                "-m",
                BACKUPS,
                "backup",
                program(r, "repozo"),
                paths.filestorage,
                paths.backups,
                "--keep",
                str(keep),
            ],
            schedule=str(s["backup_schedule"]),
        )
    else:
        r.cron("zeoserver-backup", action="delete")
    if s["enable_pack"] and pack_singleton(r) == r.stack.self.get("hostname"):
        days = config.positive(s["pack_days"], "zeoserver.pack_days")
        r.cron("zeoserver-pack", command=pack_command(r, days), schedule=str(s["pack_schedule"]))
    else:
        r.cron("zeoserver-pack", action="delete")
