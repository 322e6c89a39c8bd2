"""python_app::deploy: build a new release of each app this command deploys, then switch to it.

A release is built completely (checkout or unpacked archive, virtualenv, dependencies, shared
links, marker) before `current` flips to it, so a failure at any step leaves the running
release serving. Nothing is rebuilt when the revision still names the deployed commit (for an
archive source: the archive still has the deployed sha256): the deploy config and the services
are converged in place, restarting processes only if their definition or config changed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from stackworks.cookbooks.python_app import archive_source, declare, releases, source, workload

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    for name, app in declare.apps_to_deploy(r):
        deploy_app(r, name, app)


def deploy_app(r: Recipe, name: str, app: declare.App) -> None:
    config = declare.settings(r)
    paths = declare.paths(r, name)
    src = app.get("source") or {}
    kind = src.get("type", "git")
    if kind not in ("git", "archive"):
        r.fail(f"app {name}: source.type {kind!r} is not supported (git, archive)")
    try:
        if kind == "archive":
            fetched = archive_source.fetch(
                paths.root / "archives",
                str(src.get("url", "")),
                (app.get("attributes") or {}).get("checksum"),
                timeout=float(config["fetch_timeout"]),
            )
            facts = source.SourceFacts(fetched.checksum, fetched.procfile, fetched.install)
        else:
            fetched = None
            facts = source.fetch(
                paths.mirror,
                str(src.get("url", "")),
                str(src.get("revision") or "HEAD"),
                timeout=float(config["fetch_timeout"]),
            )
    except source.SourceError as error:
        r.fail(f"app {name}: {error}")
        raise
    for directory in (paths.root, paths.releases, paths.shared):
        r.directory(str(directory), mode=0o755)
    for shared in releases.SHARED_DIRS:
        r.directory(str(paths.shared / shared), mode=0o755)

    current = releases.current_release(paths)
    deployed = releases.read_marker(paths, current).get("commit") if current else None
    if deployed == facts.commit and current is not None:
        _redeploy_in_place(r, name, app, facts, current)
        return
    what = "archive" if fetched else "commit"
    r.log(
        f"app {name}: new {what} {facts.commit[:12]} (deployed: {(deployed or 'none')[:12]}): "
        "building a new release, switching to it and restarting"
    )
    release = _new_release_name(paths)
    release_dir = paths.release(release)
    venv = paths.venv(release)
    r.log(f"app {name}: building release {release} of {facts.commit[:12]}")
    if fetched is not None:
        r.remote_file(
            str(fetched.path), source=str(src.get("url", "")), checksum=fetched.checksum, mode=0o600
        )
        r.archive(
            str(fetched.path),
            destination=str(release_dir),
            checksum=fetched.checksum,
            strip_components=fetched.strip_components,
        )
    else:
        r.git(str(release_dir), repository=str(paths.mirror), revision=facts.commit)
    r.execute(
        f"virtualenv of {name} {release}",
        command=[declare.python(r), "-m", "venv", "--without-pip", str(venv)],
        creates=str(venv / "bin" / "python"),
    )
    install = _install_command(facts.install, str(venv / "bin" / "python"), release_dir)
    if install:
        r.execute(
            f"dependencies of {name} {release}",
            command=install,
            cwd=str(release_dir),
            timeout=float(config["install_timeout"]),
        )
    for shared in releases.SHARED_DIRS:
        r.link(str(release_dir / shared), to=str(paths.shared / shared))
    marker = {"commit": facts.commit, "revision": src.get("revision"), "release": release}
    if fetched is not None:
        marker["source"] = "archive"
    r.file(str(release_dir / releases.MARKER), content=json.dumps(marker, indent=2) + "\n")
    r.file(
        str(paths.deploy_json),
        content=declare.deploy_config(r, name, app, facts.commit),
        mode=0o600,
        sensitive=True,
    )
    r.link(str(paths.current), to=f"releases/{release}")
    processes = declare.plan(r, name, app, release, facts.procfile)
    # A new release directory changes every service's definition: the engine restarts each.
    declare.services(
        r, processes, release_dir, ("enable", "start"), delay=float(config["restart_delay"])
    )
    declare.retire(r, name, processes)
    keep = int(config["keep_releases"])
    for old in releases.releases_to_prune(paths, keep - 1, protect=(release, current or "")):
        r.directory(str(paths.release(old)), action="delete")


def _redeploy_in_place(
    r: Recipe, name: str, app: declare.App, facts: source.SourceFacts, current: str
) -> None:
    """The deployed commit again: rebuild in place and restart only if the generated deploy
    configuration changed or `deploy.<app>.always_build_on_deploy` asks for it."""
    config = declare.settings(r)
    paths = declare.paths(r, name)
    new_config = declare.deploy_config(r, name, app, facts.commit)
    old_config = paths.deploy_json.read_text() if paths.deploy_json.exists() else None
    always = bool(((r.node.get("deploy") or {}).get(name) or {}).get("always_build_on_deploy"))
    short = f"{'archive' if facts.commit.startswith('sha256:') else 'commit'} {facts.commit[:19]}"
    if old_config != new_config:
        r.log(
            f"app {name}: same {short}, but its deploy configuration changed: "
            "rebuilding in place and restarting"
        )
    elif always:
        r.log(
            f"app {name}: same {short} and configuration, but "
            f"deploy.{name}.always_build_on_deploy is set: rebuilding in place and restarting"
        )
    else:
        r.log(
            f"app {name}: same {short} and same deploy configuration: nothing to build or restart"
        )
    release_dir = paths.release(current)
    processes = declare.plan(r, name, app, current, declare.release_procfile(r, name, current))
    r.file(str(paths.deploy_json), content=new_config, mode=0o600, sensitive=True)
    if old_config != new_config or always:
        install = _install_command(
            facts.install, str(paths.venv(current) / "bin" / "python"), release_dir
        )
        if install:
            r.execute(
                f"rebuild {name} {current} in place",
                command=install,
                cwd=str(release_dir),
                timeout=float(config["install_timeout"]),
            )
        # restarted in order, `restart_delay` apart, so some copies always serve
        action: tuple[str, ...] = ("enable", "restart")
        delay = float(config["restart_delay"])
    else:
        action, delay = ("enable", "start"), 0.0
    declare.services(r, processes, release_dir, action, delay=delay)
    declare.retire(r, name, processes)


def _new_release_name(paths: releases.AppPaths) -> str:
    """Now, in UTC; a second later if a release of this second exists (two quick deploys)."""
    now = datetime.now(UTC)
    name = workload.release_name(now)
    while paths.release(name).exists():
        now += timedelta(seconds=1)
        name = workload.release_name(now)
    return name


def _install_command(kind: str | None, venv_python: str, release_dir: object) -> list[str]:
    """pip, run by the agent's interpreter for the release's virtualenv (`pip --python`): the
    virtualenv needs no pip of its own, which makes it quick to create."""
    pip = [declare.python_for_pip(), "-m", "pip", "--python", venv_python, "install"]
    pip += ["--disable-pip-version-check", "--no-input", "--quiet"]
    if kind == "requirements":
        return [*pip, "-r", "requirements.txt"]
    if kind == "project":
        return [*pip, str(release_dir)]
    return []
