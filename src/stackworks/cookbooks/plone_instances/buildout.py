"""The buildout build's pure decisions: which build an app uses, and its generated deploy.cfg.

Seed 001's repositories hold a buildout (`cfg/base.cfg` with a `client1` part and every other
part defined but not enabled). The deploy writes `deploy.cfg` into the release: it extends the
base plus `deploy.<app>.buildout_extends`, enables the client parts and
`buildout_parts_to_include`, and sets each client's addresses, caches, blobs and environment
from the stack, exactly as the pip build's zope.conf would (same ports, same ZEO servers, the
same instance homes under `shared/clients/`, so caches survive releases and
`plone_instances::restart` with `drop_cache` finds them). Nothing here touches the disk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stackworks.cookbooks.plone_instances import config, storage

#: the build an app uses when `deploy.<app>.build` is not set and the commit has this file
BASE_CONFIGS = ("cfg/base.cfg", "buildout.cfg")
BUILDS = ("pip", "buildout")
#: the file the deploy writes into the release and runs buildout with
DEPLOY_CFG = "deploy.cfg"
#: deploy.cfg as the last buildout run that succeeded saw it: what change detection compares
BUILT_CFG = ".stackworks-built.cfg"
#: a client part that never serves: the site creation runs `bin/<it> run <script>` with it,
#: without a persistent ZEO cache (it must not share a serving client's cache file)
CONSOLE_PART = "stackworks-console"

# a buildout value must stay on one line and hold no substitution or comment of its own
_VALUE = re.compile(r"^[^\n\r${}#;]*$")
_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_CONFIG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._/-]*\.cfg$")
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class BuildoutClient:
    """What one client part needs from the stack: its client, its bind address."""

    client: config.Client
    host: str


def choose_build(app_name: str, wanted: Any, files: Sequence[str]) -> str:
    """`deploy.<app>.build` when set ("pip" or "buildout"), else buildout when the commit has
    `cfg/base.cfg` or `buildout.cfg`, else pip. `files` are the commit's paths that matter."""
    if wanted is not None:
        if wanted not in BUILDS:
            raise ValueError(f"deploy.{app_name}.build: expected pip or buildout, got {wanted!r}")
        return str(wanted)
    return "buildout" if any(f in files for f in BASE_CONFIGS) else "pip"


def check_storage(app_name: str, attributes: Mapping[str, Any]) -> None:
    """A buildout app's clients are ZEO clients: `enable_relstorage` is refused, naming it.
    (RelStorage under buildout would need RelStorage and its driver as eggs of the project's
    buildout and the database password in deploy.cfg; the pip build has it.)"""
    if storage.enabled(attributes):
        raise ValueError(
            f"{config.PREFIX}.enable_relstorage: app {app_name} has the buildout build, whose "
            f"clients run on ZEO only; RelStorage needs the pip build (deploy.{app_name}.build "
            "pip and a requirements.txt), or turn enable_relstorage off"
        )


def base_config(files: Sequence[str]) -> str | None:
    """The buildout file deploy.cfg extends first: `cfg/base.cfg`, else `buildout.cfg`."""
    return next((f for f in BASE_CONFIGS if f in files), None)


def extends(app_name: str, base: str, custom: Mapping[str, Any]) -> list[str]:
    """`base` then `deploy.<app>.buildout_extends` (files of the repository, e.g.
    `cfg/sources.cfg`), each checked to be a relative .cfg path inside the release."""
    more = _strings(custom.get("buildout_extends"), f"deploy.{app_name}.buildout_extends")
    for path in more:
        if not _CONFIG.match(path) or ".." in path.split("/"):
            raise ValueError(
                f"deploy.{app_name}.buildout_extends: {path!r} is not a relative .cfg path "
                "inside the repository"
            )
    return [base, *more]


def parts(app_name: str, clients: Sequence[BuildoutClient], custom: Mapping[str, Any]) -> list[str]:
    """The parts deploy.cfg enables: the clients, then `buildout_parts_to_include`."""
    label = f"deploy.{app_name}.buildout_parts_to_include"
    more = _strings(custom.get("buildout_parts_to_include"), label)
    for part in more:
        if not _PART.match(part):
            raise ValueError(f"{label}: {part!r} is not a buildout part name")
    names = [c.client.name for c in clients] + [CONSOLE_PART]
    return [*names, *(p for p in more if p not in names)]


def client_options(
    attributes: Mapping[str, Any],
    item: BuildoutClient,
    servers: Sequence[str],
    environment: Mapping[str, str],
) -> list[tuple[str, str]]:
    """The plone.recipe.zope2instance options of one client part, as the pip build's
    zope.conf/zope.ini set them: ZEO servers, ZODB and ZEO caches, blobs, threads, address.
    The storage settings are `storage`'s, checked as the pip build's zope.conf checks them."""
    prefix = config.PREFIX
    threads = config.positive(attributes.get("zserver_threads"), f"{prefix}.zserver_threads")
    home = item.client.home
    common = storage.client_storage(attributes, home=home, client_name=item.client.name)
    options = [
        ("http-address", f"{item.host}:{item.client.port}"),
        ("threads", str(threads)),
        ("zeo-client", "on"),
        # none online yet: the release builds, and configure adds them (then buildout reruns)
        *([("zeo-address", " ".join(servers))] if servers else []),
        ("zeo-storage", "1"),
        ("zodb-cache-size", str(common.cache_objects)),
        ("zeo-client-cache-size", storage.zeo_cache_size(attributes)),
        ("var", f"{home}/var"),
        ("zeo-var", f"{home}/var"),
        ("blob-storage", common.blob_dir),
        ("shared-blob", "on" if common.shared_blobs else "off"),
        # logs go to the program's log, as the pip build's clients do
        ("event-log", "disable"),
        ("z2-log", "disable"),
    ]
    if common.persistent:
        options.append(("zeo-client-client", item.client.name))
    if environment:
        lines = [f"{key} {value}" for key, value in sorted(environment.items())]
        options.append(("environment-vars", "\n    " + "\n    ".join(lines)))
    for key, value in options:
        if key != "environment-vars" and not _VALUE.match(value):
            raise ValueError(f"{prefix}: {key} {value!r} cannot be written into deploy.cfg")
    return options


def buildout_environment(app_name: str, environment: Mapping[str, Any]) -> dict[str, str]:
    """`deploy.<app>.environment` as the clients' `environment-vars`: each key a plain name,
    each value one word (the recipe splits the option on whitespace) without buildout
    substitutions. The processes get these (and the app's secure values) in their own
    environment too; secure values are never written into deploy.cfg."""
    checked: dict[str, str] = {}
    for key, value in environment.items():
        text = str(value)
        if not _ENV_KEY.match(str(key)):
            raise ValueError(f"deploy.{app_name}.environment: {key!r} is not a variable name")
        if not text or not _VALUE.match(text) or any(c.isspace() for c in text):
            raise ValueError(
                f"deploy.{app_name}.environment.{key}: a buildout value must be one word "
                f"without $, {{, }}, # or ;, got {text!r}"
            )
        checked[str(key)] = text
    return checked


def render_deploy_cfg(
    app_name: str,
    attributes: Mapping[str, Any],
    *,
    base: str,
    custom: Mapping[str, Any],
    clients: Sequence[BuildoutClient],
    servers: Sequence[str],
    cache_dir: str,
    console_home: str,
    environment: Mapping[str, str],
) -> str:
    """deploy.cfg: extends, parts, the shared egg and download caches, a section per client
    (client1 overrides the base's own client1; client2..N copy client1 with `<=`) and the
    console part, a client of its own home `console_home` that never serves."""
    check_storage(app_name, attributes)
    if not clients:
        raise ValueError(f"{config.PREFIX}: no client to generate")
    if not _VALUE.match(cache_dir):
        raise ValueError(f"{config.PREFIX}: {cache_dir!r} cannot be written into deploy.cfg")
    env = buildout_environment(app_name, environment)
    lines = [
        "# Written by the plone_instances cookbook at each deploy; changes here are replaced.",
        "[buildout]",
        "extends =",
        *[f"    {path}" for path in extends(app_name, base, custom)],
        "parts =",
        *[f"    {part}" for part in parts(app_name, clients, custom)],
        f"eggs-directory = {cache_dir}/eggs",
        f"download-cache = {cache_dir}/downloads",
        "newest = false",
        "",
    ]
    first = clients[0].client.name
    for index, item in enumerate(clients):
        lines.append(f"[{item.client.name}]")
        if index > 0:
            lines.append(f"<= {first}")
        options = client_options(attributes, item, servers, env)
        lines += [f"{key} = {value}" for key, value in options]
        lines.append("")
    console = BuildoutClient(
        config.Client(0, CONSOLE_PART, CONSOLE_PART, clients[0].client.port, console_home),
        clients[0].host,
    )
    options = client_options({**attributes, "persistent_cache": False}, console, servers, env)
    lines += [f"[{CONSOLE_PART}]", f"<= {first}", *[f"{k} = {v}" for k, v in options], ""]
    return "\n".join(lines)


def _strings(value: Any, label: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{label}: expected a list of strings, got {value!r}")
    return [str(v) for v in value]
