"""plone_instances::deploy: a pip-built release of each Plone app this command deploys, its
clients replaced one at a time, and the Plone site created once.

As python_app (seed 002's change detection): a new commit builds a complete release (checkout,
venv, `pip install -c constraints.txt -r requirements.txt`, marker) before `current` flips and
the clients restart one by one, each answering its health check before the next. The deployed
commit again: the client files are re-rendered and only changed clients restart; with
`deploy.<app>.always_build_on_deploy` the dependencies are reinstalled in place and every
client restarts. A failure at any step leaves `current` and the running clients as they were.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from stackworks.cookbooks.plone_instances import config, declare
from stackworks.cookbooks.python_app import releases, source, workload

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    for name, app in declare.apps_to_deploy(r):
        deploy_app(r, name, app)


def deploy_app(r: Recipe, name: str, app: declare.App) -> None:
    s = declare.settings(r)
    paths = declare.paths(r, name)
    src = app.get("source") or {}
    if src.get("type", "git") != "git":
        r.fail(f"app {name}: source type {src.get('type')!r} is not supported (only git)")
    try:
        facts = source.fetch(
            paths.mirror,
            str(src.get("url", "")),
            str(src.get("revision") or "HEAD"),
            timeout=float(s["fetch_timeout"]),
        )
    except source.SourceError as error:
        r.fail(f"app {name}: {error}")
        raise
    if facts.install != "requirements":
        r.fail(f"app {name}: a Plone app needs a requirements.txt (pip build) at its top")
    constraints = declare.commit_has(paths.mirror, facts.commit, "constraints.txt")
    servers = declare.storage_servers(r)
    homes = declare.rendered_homes(r, name, servers) if servers else None
    declare.os_packages(r, name)
    for directory in (paths.root, paths.releases, paths.shared, declare.homes_dir(r, name)):
        r.directory(str(directory), mode=0o755)
    for shared in releases.SHARED_DIRS:
        r.directory(str(paths.shared / shared), mode=0o755)

    current = releases.current_release(paths)
    deployed = releases.read_marker(paths, current).get("commit") if current else None
    if current is not None and deployed == facts.commit:
        if homes is None:
            r.log(f"app {name}: same commit and no ZEO server online: the clients stay as they are")
            return
        _in_place(r, name, app, current, homes, constraints)
        return
    r.log(
        f"app {name}: new commit {facts.commit[:12]} (deployed: {(deployed or 'none')[:12]}): "
        f"building a release against {', '.join(servers) or 'ZEO (none online yet)'}"
    )
    release = _new_release_name(paths)
    release_dir = paths.release(release)
    venv = paths.venv(release)
    r.git(str(release_dir), repository=str(paths.mirror), revision=facts.commit)
    r.execute(
        f"virtualenv of {name} {release}",
        command=[declare.python(r), "-m", "venv", "--without-pip", str(venv)],
        creates=str(venv / "bin" / "python"),
    )
    r.execute(
        f"pip build of {name} {release}",
        command=declare.install_command(r, venv, constraints),
        cwd=str(release_dir),
        timeout=float(s["install_timeout"]),
    )
    for shared in releases.SHARED_DIRS:
        r.link(str(release_dir / shared), to=str(paths.shared / shared))
    r.file(
        str(release_dir / releases.MARKER),
        content=json.dumps(
            {"commit": facts.commit, "revision": src.get("revision"), "release": release},
            indent=2,
        )
        + "\n",
    )
    if homes is not None:
        declare.write_homes(r, homes)
    r.link(str(paths.current), to=f"releases/{release}")
    if homes is None:
        r.log(
            f"app {name}: no ZEO server online yet: release {release} is current; its clients "
            "start on the configure that follows the ZEO server coming online"
        )
    else:
        # the new release changes every client's definition: each restarts, then is waited for
        planned = declare.run_clients(r, name, app, release, homes, ("enable", "start"))
        declare.retire(r, name, planned)
        declare.create_site(r, name, app, release)
    try:
        keep = config.positive(s["keep_releases"], "plone_instances.keep_releases")
    except ValueError as error:
        r.fail(str(error))
        raise
    for old in releases.releases_to_prune(paths, keep - 1, protect=(release, current or "")):
        r.directory(str(paths.release(old)), action="delete")


def _in_place(
    r: Recipe,
    name: str,
    app: declare.App,
    current: str,
    homes: dict[str, dict[str, str]],
    constraints: bool,
) -> None:
    paths = declare.paths(r, name)
    always = bool(((r.node.get("deploy") or {}).get(name) or {}).get("always_build_on_deploy"))
    changed = declare.homes_changed(homes)
    if always:
        r.log(
            f"app {name}: same commit, deploy.{name}.always_build_on_deploy is set: "
            "reinstalling in place and restarting every client, one at a time"
        )
    elif changed:
        r.log(f"app {name}: same commit, changed configuration: restarting changed clients")
    else:
        r.log(f"app {name}: same commit and configuration: nothing to build or restart")
    if always:
        r.execute(
            f"rebuild {name} {current} in place",
            command=declare.install_command(r, paths.venv(current), constraints),
            cwd=str(paths.release(current)),
            timeout=float(declare.settings(r)["install_timeout"]),
        )
    declare.write_homes(r, homes)
    action: tuple[str, ...] = ("enable", "restart") if always else ("enable", "start")
    planned = declare.run_clients(r, name, app, current, homes, action)
    declare.retire(r, name, planned)
    declare.create_site(r, name, app, current)


def _new_release_name(paths: releases.AppPaths) -> str:
    now = datetime.now(UTC)
    name = workload.release_name(now)
    while paths.release(name).exists():
        now += timedelta(seconds=1)
        name = workload.release_name(now)
    return name
