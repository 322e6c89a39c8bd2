"""Declarations the python_app recipes share: which apps, their deploy config, their services.

Every function here only declares resources on the recipe context `r` (or reads what it needs
to decide which to declare); the converge engine acts on them afterwards, in order.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackworks.cookbooks.python_app import releases, source, workload
from stackworks.cookbooks.python_app.attributes import DEFAULTS
from stackworks.domain.attributes import deep_merge

if TYPE_CHECKING:
    from stackworks.converge import Recipe

App = Mapping[str, Any]


def settings(r: Recipe) -> dict[str, Any]:
    """The `python_app` attributes as a plain dict, over the cookbook's defaults."""
    node_settings = r.node.get("python_app") or {}
    return deep_merge(DEFAULTS["python_app"], _plain(node_settings))


def apps_to_deploy(r: Recipe) -> list[tuple[str, App]]:
    """Apps this command deploys here: `deploy` flag set and a layer in common with self."""
    return [(name, app) for name, app in _apps(r).items() if app.get("deploy") and _here(r, app)]


def apps_here(r: Recipe) -> list[tuple[str, App]]:
    """Apps deployed on this instance: those with a `current` release. When the command names
    apps (the deploy flag), only those; otherwise every app of self's layers."""
    chosen = apps_to_deploy(r) or [(n, a) for n, a in _apps(r).items() if _here(r, a)]
    return [(n, a) for n, a in chosen if releases.current_release(paths(r, n)) is not None]


def paths(r: Recipe, app_name: str) -> releases.AppPaths:
    return releases.app_paths(r.roots["srv"], app_name)


def python(r: Recipe) -> str:
    """The interpreter release virtualenvs are made from: the attribute, else the agent's."""
    return str(settings(r).get("python") or sys.executable)


def deploy_config(r: Recipe, name: str, app: App, commit: str | None) -> str:
    """The app's rendered configuration, written to shared/deploy.json (mode 0600).

    It holds the app's environment with its secure values: the app reads it, logs never do.
    Stable for a given stack state, so a change means something the app may care about: its
    environment, its `deploy.<app>` custom JSON, and the online instances of the OTHER layers
    (databases, caches, brokers). Its own layers' instances are left out, so another app server
    coming or going does not restart this one.
    """
    self_info = _self(r)
    layer_info = _layers(r)
    src = app.get("source") or {}
    own_layers = set(app.get("layers") or [])
    custom = _plain((r.node.get("deploy") or {}).get(name) or {})
    custom.pop("always_build_on_deploy", None)
    document = {
        "stack": {"name": r.stack.name},
        "app": {
            "shortname": name,
            "name": app.get("name", name),
            "domains": list(app.get("domains") or []),
            "attributes": _plain(app.get("attributes") or {}),
            "source": {
                "type": src.get("type"),
                "url": source.redact(str(src.get("url", ""))),
                "revision": src.get("revision"),
            },
            "commit": commit,
        },
        "custom": custom,
        "environment": _plain(app.get("environment") or {}),
        "secure_keys": list(app.get("secure_keys") or []),
        "instance": {
            "hostname": self_info.get("hostname"),
            "private_ip": self_info.get("private_ip"),
            "layers": list(self_info.get("layers") or []),
        },
        "layers": {
            layer: {
                "instances": {
                    host: {"private_ip": info.get("private_ip"), "status": info.get("status")}
                    for host, info in sorted(
                        (layer_info.get(layer, {}).get("instances") or {}).items()
                    )
                }
            }
            for layer in sorted(layer_info)
            if layer not in own_layers
        },
    }
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def plan(
    r: Recipe, name: str, app: App, release: str, procfile: str | None
) -> list[workload.Process]:
    """The processes of `app` running `release` here; a bad Procfile fails the recipe."""
    config = settings(r)
    app_paths = paths(r, name)
    try:
        parsed = workload.parse_procfile(procfile or "", f"app {name}: Procfile")
        processes = workload.with_default_web(parsed, str(config["default_web"]))
        count = workload.process_count(config)
        ports = workload.web_ports(int(config["base_port"]), count)
    except ValueError as error:
        r.fail(str(error))
        raise  # r.fail raises; this keeps type checkers sure
    self_info = _self(r)
    host = str(self_info.get("private_ip") or "127.0.0.1")
    environment = workload.process_environment(
        app,
        app_name=name,
        hostname=str(self_info.get("hostname", "")),
        host=host,
        venv=str(app_paths.venv(release)),
        deploy_json=str(app_paths.deploy_json),
    )
    return workload.plan_processes(name, processes, environment=environment, host=host, ports=ports)


def services(
    r: Recipe,
    processes: list[workload.Process],
    release_dir: Path,
    action: tuple[str, ...] | str,
    *,
    delay: float = 0,
) -> list[Any]:
    """Declare each process as a service running in `release_dir`; `delay` seconds between."""
    handles = []
    for index, process in enumerate(processes):
        if delay > 0 and index > 0:
            r.execute(
                f"wait {delay}s before {process.service}",
                command=["/bin/sleep", str(delay)],
            )
        handles.append(
            r.service(
                process.service,
                command=list(process.argv),
                directory=str(release_dir),
                environment=dict(process.environment),
                action=action,
                stop_signal="TERM",
            )
        )
    return handles


def current_services(r: Recipe, action: tuple[str, ...] | str, *, delay: float = 0) -> None:
    """Declare the processes of every app deployed here, from its current release, with
    `action` (what python_app::start, stop and restart do)."""
    for name, app in apps_here(r):
        app_paths = paths(r, name)
        current = releases.current_release(app_paths)
        if current is None:
            continue
        processes = plan(r, name, app, current, release_procfile(r, name, current))
        services(r, processes, app_paths.release(current), action, delay=delay)


def retire(r: Recipe, name: str, keep: list[workload.Process]) -> None:
    """Stop and remove the services this app ran before but no longer runs (fewer copies, a
    process dropped from the Procfile), then record the current set."""
    app_paths = paths(r, name)
    wanted = [p.service for p in keep]
    for service in releases.recorded_services(app_paths):
        if service not in wanted:
            r.service(service, action=("stop", "disable"))
    r.file(
        str(app_paths.processes_json),
        content=json.dumps({"services": wanted}, indent=2) + "\n",
        mode=0o644,
    )


def release_procfile(r: Recipe, name: str, release: str) -> str | None:
    """The Procfile of a release already on disk, or None when it has none."""
    path = paths(r, name).release(release) / "Procfile"
    try:
        return path.read_text()
    except FileNotFoundError:
        return None
    except OSError as error:
        r.fail(f"app {name}: cannot read {path}: {error}")
        raise


def _apps(r: Recipe) -> dict[str, App]:
    return {str(name): app for name, app in _plain(r.stack.apps).items()}


def _self(r: Recipe) -> dict[str, Any]:
    return dict(_plain(r.stack.self))


def _layers(r: Recipe) -> dict[str, Any]:
    return dict(_plain(r.stack.layers))


def _here(r: Recipe, app: App) -> bool:
    return bool(set(app.get("layers") or []) & set(_self(r).get("layers") or []))


def _plain(value: Any) -> Any:
    """Plain dicts and lists from the read-only views the recipe context hands out."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def python_for_pip() -> str:
    """The interpreter whose pip installs into release virtualenvs: the agent's own."""
    return sys.executable
