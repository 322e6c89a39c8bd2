"""Declarations the plone_instances recipes share: settings, client homes, clients, installs.

An app lives where python_app puts one (`<srv>/www/<app>`: releases, a venv per release,
`current`, the bare mirror), and its clients' instance homes live in
`shared/clients/client<k>` (etc/zope.conf, etc/zope.ini, var/ with the ZEO cache and blob
cache), plus `shared/clients/console` for zconsole (no persistent cache: it must not share a
client's cache file). Clients are declared one after the other, each followed by a wait for
its health check that runs only when that client (re)started (then a warm-up GET and the
`restart_delay` the front end's checks need): a deploy, a restart or a changed configuration
replaces the clients one at a time, so the instance always has some serving.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackworks.cookbooks.haproxy.attributes import DEFAULTS as HAPROXY_DEFAULTS
from stackworks.cookbooks.plone_instances import buildout, config, init_commands, storage
from stackworks.cookbooks.plone_instances.attributes import DEFAULTS
from stackworks.cookbooks.plone_instances.health import MODULE as HEALTH
from stackworks.cookbooks.python_app import declare as app_declare
from stackworks.cookbooks.python_app import releases
from stackworks.domain.attributes import deep_merge

if TYPE_CHECKING:
    from stackworks.converge import Recipe

App = Mapping[str, Any]
SITE_SCRIPT = Path(__file__).resolve().parent / "files" / "create_site.zconsole"


def settings(r: Recipe) -> dict[str, Any]:
    """The `plone_instances` attributes as a plain dict, over the cookbook's defaults."""
    return deep_merge(DEFAULTS["plone_instances"], _plain(r.node.get("plone_instances") or {}))


def apps_to_deploy(r: Recipe) -> list[tuple[str, App]]:
    return app_declare.apps_to_deploy(r)


def apps_here(r: Recipe) -> list[tuple[str, App]]:
    return app_declare.apps_here(r)


def paths(r: Recipe, name: str) -> releases.AppPaths:
    return releases.app_paths(r.roots["srv"], name)


def homes_dir(r: Recipe, name: str) -> Path:
    return paths(r, name).shared / "clients"


def python(r: Recipe) -> str:
    return str(settings(r).get("python") or sys.executable)


def host(r: Recipe) -> str:
    address = r.stack.self.get("private_ip")
    if not address:
        r.fail(f"instance {r.stack.self.get('hostname')} has no private_ip for the clients")
    return str(address)


def zeo_servers(r: Recipe) -> list[str]:
    s = settings(r)
    port = (r.node.get("zeoserver") or {}).get("port", config.DEFAULT_ZEO_PORT)
    try:
        return config.zeo_servers(_plain(r.stack.layers), str(s["zeo_layer"]), port)
    except ValueError as error:
        r.fail(str(error))
        raise


def storage_servers(r: Recipe) -> list[str]:
    """What the clients' storage connects to: the online ZEO servers, or with
    `enable_relstorage` the database (`host:port/dbname`, no password). Empty: not yet."""
    target = storage.resolve(r, settings(r))
    return [target.database.where()] if target is not None else zeo_servers(r)


def clients(r: Recipe, name: str) -> list[config.Client]:
    s = settings(r)
    try:
        ports = config.client_ports(s["base_port"], config.client_count(s))
    except ValueError as error:
        r.fail(str(error))
        raise
    return config.clients(name, str(homes_dir(r, name)), ports)


def environment(r: Recipe, name: str, app: App, venv: Path) -> dict[str, str]:
    """What every client sees: the app's environment (secure values included) under its
    `deploy.<app>.environment` custom JSON, plus the venv first on PATH. Never logged."""
    custom = ((r.node.get("deploy") or {}).get(name) or {}).get("environment") or {}
    env = {str(k): str(v) for k, v in (app.get("environment") or {}).items()}
    env.update({str(k): str(v) for k, v in _plain(custom).items()})
    env.update(
        {
            "HOST": host(r),
            "HOSTNAME": str(r.stack.self.get("hostname", "")),
            "STACKWORKS_APP": name,
            "PLONE_ADMIN_USER": str(settings(r)["admin_user"]),
            "VIRTUAL_ENV": str(venv),
            "PATH": f"{venv}/bin:/usr/local/bin:/usr/bin:/bin",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def rendered_homes(r: Recipe, name: str, servers: list[str]) -> dict[str, dict[str, str]]:
    """Each client's files (and the console's), by home directory: {path: text}."""
    s = settings(r)
    address = host(r)
    relstorage = storage.resolve(r, s)
    homes: dict[str, dict[str, str]] = {}
    try:
        for client in clients(r, name):
            homes[client.home] = {
                "etc/zope.conf": config.render_zope_conf(
                    s,
                    home=client.home,
                    client_name=client.name,
                    servers=servers,
                    relstorage=relstorage,
                ),
                "etc/zope.ini": config.render_zope_ini(
                    s, home=client.home, host=address, port=client.port
                ),
            }
        console = str(homes_dir(r, name) / "console")
        homes[console] = {
            "etc/zope.conf": config.render_zope_conf(
                s, home=console, client_name=None, servers=servers, relstorage=relstorage
            )
        }
    except ValueError as error:
        r.fail(str(error))
        raise
    return homes


def homes_changed(homes: Mapping[str, Mapping[str, str]]) -> bool:
    """Whether any generated file differs from what is on disk (a log line says which case)."""
    for home, files in homes.items():
        for relative, text in files.items():
            try:
                if (Path(home) / relative).read_text() != text:
                    return True
            except OSError:
                return True
    return False


def write_homes(r: Recipe, homes: Mapping[str, Mapping[str, str]]) -> None:
    """The homes' files; under RelStorage zope.conf holds the database password, so it is
    mode 0600 and kept out of diffs."""
    secret = storage.enabled(settings(r))
    for home, files in homes.items():
        for sub in ("etc", "var", "var/cache", "var/log", "var/blobcache"):
            r.directory(f"{home}/{sub}", mode=0o750)
        for relative, text in files.items():
            r.file(
                f"{home}/{relative}",
                content=text,
                mode=0o600 if secret else 0o640,
                sensitive=secret,
            )


def run_clients(
    r: Recipe,
    name: str,
    app: App,
    release: str,
    homes: Mapping[str, Mapping[str, str]],
    action: tuple[str, ...] | str,
    *,
    before_each: Callable[[config.Client], None] | None = None,
    command: Callable[[config.Client], list[str]] | None = None,
    fingerprint: str = "",
    bin_dir: Path | None = None,
) -> list[config.Client]:
    """Each client as a service running `release`, then a wait for its health check that
    runs only if the client (re)started. A client's definition carries a digest of its
    files, environment and `fingerprint` (the buildout build's deploy.cfg), so a changed
    configuration restarts exactly that client. `before_each(client)` declares steps that
    come just before each client's service; `command(client)` is its argv (default: the
    pip build's `runwsgi <home>/etc/zope.ini`). The app's `buildout_init_commands`
    programs follow the clients, with the same environment and `action`; a bare `cmd` of
    theirs is a script of `bin_dir` (default: the release venv's `bin/`)."""
    s = settings(r)
    app_paths = paths(r, name)
    venv = app_paths.venv(release)
    env = environment(r, name, app, venv)
    try:
        method = config.health_method(s["health_check_method"])
        path = config.health_path(s["health_check_url"])
        warm = config.warmup_path(s)
        front_end = config.has_front_end(_plain(r.stack.layers))
        settle = config.restart_delay(s, haproxy_checks(r), front_end=front_end)
    except ValueError as error:
        r.fail(str(error))
        raise
    address = host(r)
    planned = clients(r, name)
    storage.install_packages(r, s, venv, str(app_paths.release(release)))
    for client in planned:
        if before_each is not None:
            before_each(client)
        files = homes.get(client.home, {})
        digest = config.digest(
            *(files[k] for k in sorted(files)), json.dumps(env, sort_keys=True), fingerprint
        )
        argv = (
            command(client)
            if command is not None
            else [str(venv / "bin" / "runwsgi"), f"{client.home}/etc/zope.ini"]
        )
        service = r.service(
            client.service,
            command=argv,
            directory=str(app_paths.release(release)),
            environment={**env, "STACKWORKS_CONFIG_DIGEST": digest},
            action=action,
            stop_signal="TERM",
            stop_timeout=30,
        )
        wait = r.execute(
            f"wait for {client.service} to answer {method} {path}",
            command=[
                sys.executable,
                "-m",
                HEALTH,
                address,
                str(client.port),
                "--method",
                method,
                "--path",
                path,
                "--timeout",
                str(s["health_check_timeout"]),
                *(["--warm", warm] if warm else []),
                "--settle",
                f"{settle:g}",
            ],
            action="nothing",
        )
        service.notifies("run", wait, timing="immediately")
    init_commands.declare(
        r,
        s,
        name,
        release_dir=app_paths.release(release),
        bin_dir=bin_dir if bin_dir is not None else venv / "bin",
        shared_dir=app_paths.shared,
        environment=env,
        action=action,
    )
    return planned


def haproxy_checks(r: Recipe) -> dict[str, Any]:
    """HAProxy's `rise` and `check_interval` as the stack sets them (its custom JSON reaches
    every layer), over the haproxy cookbook's defaults: what `restart_delay` defaults to."""
    wanted = ("rise", "check_interval")
    chosen = _plain(r.node.get("haproxy") or {})
    return {k: chosen.get(k, HAPROXY_DEFAULTS["haproxy"][k]) for k in wanted}


def drop_cache(r: Recipe, client: config.Client) -> None:
    """Stop `client` and delete its ZEO cache files (`var/*.zec`): what lets it reconnect to
    a ZEO server restored to an older state (ZEO refuses a cache newer than the server)."""
    r.service(client.service, action="stop")
    find = ["/usr/bin/find", f"{client.home}/var", "-maxdepth", "1", "-name", "*.zec"]
    r.execute(f"drop the ZEO cache of {client.service}", command=[*find, "-delete"])


def retire(r: Recipe, name: str, keep: list[config.Client]) -> None:
    """Stop and remove clients this app ran before but no longer runs, then record the set."""
    app_paths = paths(r, name)
    wanted = [c.service for c in keep] + init_commands.service_names(r, name)
    for service in releases.recorded_services(app_paths):
        if service not in wanted:
            r.service(service, action=("stop", "disable"))
    r.file(
        str(app_paths.processes_json),
        content=json.dumps({"services": wanted}, indent=2) + "\n",
        mode=0o644,
    )


def install_command(r: Recipe, venv: Path, constraints: bool) -> list[str]:
    """pip, run by the agent's interpreter for the release venv, from requirements.txt under
    constraints.txt when the commit has one; pip's cache is used, so a rebuild is quick."""
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install"]
    pip += ["--disable-pip-version-check", "--no-input", "--quiet"]
    return [*pip, *(["-c", "constraints.txt"] if constraints else []), "-r", "requirements.txt"]


def create_site(r: Recipe, name: str, app: App, release: str, build: str = "pip") -> None:
    """The Plone site `site_id`, once: on one instance of the app's layers only (the first
    online one by hostname), when the ZODB has no object of that id (the script checks).
    A pip release runs the script with `zconsole run` on the console home's zope.conf, a
    buildout release with `bin/stackworks-console run` (the same settings, built by buildout)."""
    s = settings(r)
    me = str(r.stack.self.get("hostname"))
    layers = sorted(set(app.get("layers") or []) & set(r.stack.self.get("layers") or []))
    if layers and not config.singleton(_plain(r.stack.layers), layers[0], me):
        r.log(f"plone_instances: the site is created by the first instance of {layers[0]}")
        return
    site_id = str(s["site_id"])
    if not site_id.isidentifier():
        r.fail(f"plone_instances.site_id: expected a Zope id like Plone, got {site_id!r}")
    app_paths = paths(r, name)
    venv = app_paths.venv(release)
    marker = homes_dir(r, name) / f"site-{site_id}.created"
    extensions = [str(e) for e in s["site_extensions"]]
    r.execute(
        f"create the Plone site {site_id} unless the ZODB has it",
        command=[*_site_runner(app_paths, release, build, homes_dir(r, name)), str(SITE_SCRIPT)],
        cwd=str(app_paths.release(release)),
        env={
            **environment(r, name, app, venv),
            "PLONE_SITE_ID": site_id,
            "PLONE_SITE_EXTENSIONS": " ".join(extensions),
        },
        creates=str(marker),
        timeout=float(s["install_timeout"]),
    )
    r.file(str(marker), content=f"{site_id}\n", mode=0o644)


def _site_runner(app_paths: releases.AppPaths, release: str, build: str, homes: Path) -> list[str]:
    if build == "buildout":
        return [str(app_paths.release(release) / "bin" / buildout.CONSOLE_PART), "run"]
    venv = app_paths.venv(release)
    return [str(venv / "bin" / "zconsole"), "run", str(homes / "console" / "etc" / "zope.conf")]


def os_packages(r: Recipe, name: str) -> None:
    """`deploy.<app>.os_packages`: apt packages the app needs, installed before its build."""
    wanted = ((r.node.get("deploy") or {}).get(name) or {}).get("os_packages") or []
    if wanted:
        r.package([str(p) for p in wanted], provider="apt")


def commit_has(mirror: Path, commit: str, filename: str) -> bool:
    """Whether `commit` of the bare mirror has `filename` at its top (e.g. constraints.txt)."""
    done = subprocess.run(
        ["git", "-C", str(mirror), "cat-file", "-e", f"{commit}:{filename}"],
        capture_output=True,
        timeout=60,
        check=False,
        env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/local/bin:/usr/bin:/bin"},
    )
    return done.returncode == 0


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
