"""Declarations of the buildout build: which build a release uses, its deploy.cfg, the
bootstrap venv, the buildout run and how its clients start.

A buildout release is the commit checked out, a `.venv` with zc.buildout pinned (the
release's own `requirements.txt`, as Plone 6's buildout docs set one up, else
`plone_instances.buildout_requirements`), the generated `deploy.cfg`, and `bin/buildout -c
deploy.cfg` run in it. Eggs and downloads live in the app's `shared/eggs` and
`shared/downloads`, shared by every release, so a second build only links what is there.
Client k runs `bin/client<k> console` (plone.recipe.zope2instance execs the WSGI server in the
foreground, as supervisord needs) under the same services, ports, health checks and rolling
restarts as the pip build's clients (`declare.run_clients`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackworks.converge.views import Node
from stackworks.cookbooks.plone_instances import buildout, config, declare
from stackworks.cookbooks.python_app import releases

if TYPE_CHECKING:
    from stackworks.converge import Recipe

#: the files of a commit that decide its build
DECIDING_FILES = (*buildout.BASE_CONFIGS, "requirements.txt")


def custom(r: Recipe, name: str) -> dict[str, Any]:
    """The app's `deploy.<app>` custom JSON as a plain dict ({} when it has none)."""
    deploy = r.node.get("deploy")
    value = deploy.get(name) if isinstance(deploy, Node) else None
    return value.to_dict() if isinstance(value, Node) else {}


def commit_files(mirror: Path, commit: str) -> list[str]:
    """Which of the deciding files `commit` has."""
    return [f for f in DECIDING_FILES if declare.commit_has(mirror, commit, f)]


def build_of_commit(r: Recipe, name: str, files: list[str]) -> str:
    """The build a commit gets: `deploy.<app>.build`, else by its files (docs/plone.md);
    a buildout app with `enable_relstorage` fails here, before any storage is looked for."""
    try:
        build = buildout.choose_build(name, custom(r, name).get("build"), files)
        if build == "buildout":
            buildout.check_storage(name, declare.settings(r))
        return build
    except ValueError as error:
        r.fail(str(error))
        raise


def build_of_release(paths: releases.AppPaths, release: str) -> str:
    """The build a release on disk was made with (its marker says; pip before it did)."""
    return str(releases.read_marker(paths, release).get("build") or "pip")


def deploy_cfg(r: Recipe, name: str, base: str, servers: list[str]) -> str:
    """The deploy.cfg of app `name` for this instance and stack."""
    s = declare.settings(r)
    host = declare.host(r)
    items = [buildout.BuildoutClient(c, host) for c in declare.clients(r, name)]
    try:
        return buildout.render_deploy_cfg(
            name,
            s,
            base=base,
            custom=custom(r, name),
            clients=items,
            servers=servers,
            cache_dir=_cache_dir(r, name),
            console_home=str(declare.homes_dir(r, name) / "console"),
            environment=dict(custom(r, name).get("environment") or {}),
        )
    except ValueError as error:
        r.fail(str(error))
        raise


def _cache_dir(r: Recipe, name: str) -> str:
    """`buildout_cache_dir` (an absolute path), else the app's shared/ directory."""
    wanted = declare.settings(r).get("buildout_cache_dir")
    if wanted is None:
        return str(declare.paths(r, name).shared)
    if not isinstance(wanted, str) or not wanted.startswith("/"):
        r.fail(f"{config.PREFIX}.buildout_cache_dir: expected an absolute path, got {wanted!r}")
    return wanted


def release_base(r: Recipe, name: str, release_dir: Path, files: list[str] | None) -> str:
    """The base config deploy.cfg extends: from the commit's files, else the release's."""
    present = (
        files
        if files is not None
        else [f for f in buildout.BASE_CONFIGS if (release_dir / f).is_file()]
    )
    base = buildout.base_config(present)
    if base is None:
        r.fail(f"app {name}: a buildout build needs cfg/base.cfg or buildout.cfg at its top")
    return base


def homes(r: Recipe, name: str) -> dict[str, dict[str, str]]:
    """The clients' instance homes (no files: buildout writes each client's zope.conf in
    `parts/`; the homes keep var/ with the ZEO cache and blob cache across releases)."""
    homes: dict[str, dict[str, str]] = {c.home: {} for c in declare.clients(r, name)}
    homes[str(declare.homes_dir(r, name) / "console")] = {}
    return homes


def bootstrap(r: Recipe, name: str, release: str, *, requirements: bool) -> None:
    """The release's `.venv` with zc.buildout: the commit's `requirements.txt` when it has
    one (`requirements`), else the `plone_instances.buildout_requirements` pins."""
    paths = declare.paths(r, name)
    venv = paths.venv(release)
    release_dir = paths.release(release)
    s = declare.settings(r)
    r.execute(
        f"virtualenv of {name} {release}",
        command=[declare.python(r), "-m", "venv", "--without-pip", str(venv)],
        creates=str(venv / "bin" / "python"),
    )
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install"]
    pip += ["--disable-pip-version-check", "--no-input", "--quiet"]
    if requirements:
        wanted = ["-r", "requirements.txt"]
    else:
        pins = s["buildout_requirements"]
        if not isinstance(pins, list) or not pins or not all(isinstance(p, str) for p in pins):
            r.fail(
                f"{config.PREFIX}.buildout_requirements: expected a list of requirements "
                f"like zc.buildout==5.2.0, got {pins!r}"
            )
        wanted = [str(p) for p in pins]
    r.execute(
        f"zc.buildout of {name} {release}",
        command=[*pip, *wanted],
        cwd=str(release_dir),
        creates=str(venv / "bin" / "buildout"),
        timeout=float(s["install_timeout"]),
    )


def run_buildout(
    r: Recipe, name: str, app: declare.App, release: str, text: str, what: str
) -> None:
    """deploy.cfg written into the release, `bin/buildout -c deploy.cfg` run there with the
    app's environment (secure values included: never logged) so the build sees what the
    processes will, and only once it succeeded the copy change detection compares with: a
    failed build is tried again by the next deploy or configure."""
    paths = declare.paths(r, name)
    venv = paths.venv(release)
    release_dir = paths.release(release)
    r.file(str(release_dir / buildout.DEPLOY_CFG), content=text)
    r.execute(
        f"{what} {name} {release}",
        command=[str(venv / "bin" / "buildout"), "-c", buildout.DEPLOY_CFG],
        cwd=str(release_dir),
        env=declare.environment(r, name, app, venv),
        timeout=float(declare.settings(r)["install_timeout"]),
    )
    r.file(str(release_dir / buildout.BUILT_CFG), content=text)


def built_cfg(r: Recipe, name: str, release: str) -> str | None:
    """The deploy.cfg the release's last successful buildout run used, None when none did."""
    try:
        return (declare.paths(r, name).release(release) / buildout.BUILT_CFG).read_text()
    except OSError:
        return None


def client_command(r: Recipe, name: str, release: str) -> Callable[[config.Client], list[str]]:
    """How client k of a buildout release starts: `bin/client<k> console`."""
    bin_dir = declare.paths(r, name).release(release) / "bin"
    return lambda client: [str(bin_dir / client.name), "console"]


def converge_in_place(
    r: Recipe,
    name: str,
    app: declare.App,
    release: str,
    servers: list[str],
    *,
    always: bool = False,
) -> tuple[dict[str, dict[str, str]], str, bool]:
    """A release already built: deploy.cfg re-rendered from the stack and, when it changed
    (or `always`), buildout run again in place. Returns the client homes, the text the
    clients' fingerprints include, and whether buildout runs."""
    if not servers:
        r.fail(f"{config.PREFIX}: no ZEO server is online to connect the clients to")
    release_dir = declare.paths(r, name).release(release)
    text = deploy_cfg(r, name, release_base(r, name, release_dir, None), servers)
    rebuild = always or built_cfg(r, name, release) != text
    if rebuild:
        run_buildout(r, name, app, release, text, "buildout in place of")
    return homes(r, name), text, rebuild


def run_clients(
    r: Recipe,
    name: str,
    app: declare.App,
    release: str,
    client_homes: Mapping[str, Mapping[str, str]],
    fingerprint: str,
    action: tuple[str, ...] | str,
    **options: Any,
) -> list[config.Client]:
    """The pip build's client services and health waits, with buildout's start command; each
    client's fingerprint includes deploy.cfg, so a changed one restarts it."""
    declare.write_homes(r, client_homes)
    return declare.run_clients(
        r,
        name,
        app,
        release,
        client_homes,
        action,
        command=client_command(r, name, release),
        fingerprint=fingerprint,
        bin_dir=declare.paths(r, name).release(release) / "bin",
        **options,
    )


def release_clients(
    r: Recipe,
    name: str,
    app: declare.App,
    release: str,
    servers: list[str],
    action: tuple[str, ...] | str,
    **options: Any,
) -> list[config.Client]:
    """The clients of a release already built, whichever its build: the pip build's files
    rendered and written, or the buildout build's deploy.cfg converged in place; then each
    client replaced one at a time (what configure, start and restart share)."""
    paths = declare.paths(r, name)
    if build_of_release(paths, release) == "buildout":
        client_homes, text, _ = converge_in_place(r, name, app, release, servers)
        return run_clients(r, name, app, release, client_homes, text, action, **options)
    rendered = declare.rendered_homes(r, name, servers)
    declare.write_homes(r, rendered)
    return declare.run_clients(r, name, app, release, rendered, action, **options)
