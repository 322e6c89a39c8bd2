"""The ZODB storage of the Plone clients: a ZEO client, or RelStorage on PostgreSQL.

Seed 001's `enable_relstorage` switches the clients from the ZEO server to a PostgreSQL
database (RelStorage's `postgresql` adapter, `psycopg2` driver). The database comes from the
`relstorage.db` attributes (host, port, dbname, user, password) or else from a registered
database an app of this instance's layers uses as a data source (`relstorage.data_source`
names one; else the first PostgreSQL one). Blobs live in `nfs_blobs` (shared) or in the
database with a blob cache per client. Object states are shared through memcached: the fixed
`relstorage.cache_servers` list, else every online instance of `relstorage.memcached_layer`
at `memcached.port`.

`zodb_section` is the one function both builds (pip and buildout) call for the storage part of
zope.conf. The rest are pure too; only `resolve` and `install_packages` take a recipe.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackworks.cookbooks import values
from stackworks.cookbooks.memcached.attributes import DEFAULTS as MEMCACHED_DEFAULTS
from stackworks.domain.errors import InvalidInput
from stackworks.domain.resources import check_database_field, check_host

if TYPE_CHECKING:
    from stackworks.converge import Recipe

PREFIX = "plone_instances"
REL = f"{PREFIX}.relstorage"
DEFAULT_PG_PORT = 5432

_SAFE = re.compile(r"^[^\s#<>$]+$")
_SIZE = re.compile(r"^\d+(?:[KMG]B)?$", re.IGNORECASE)
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9,._-]+\])?==([A-Za-z0-9.+!-]+)$")


@dataclass(frozen=True)
class Database:
    """Where RelStorage keeps the ZODB: a PostgreSQL database and who to log in as."""

    host: str
    port: int
    dbname: str
    user: str
    password: str

    def where(self) -> str:
        """host:port/dbname: what logs may say (never the password)."""
        return f"{self.host}:{self.port}/{self.dbname}"


@dataclass(frozen=True)
class RelStorage:
    """What a client's RelStorage section needs beyond the attributes."""

    database: Database
    cache_servers: tuple[str, ...] = ()


def enabled(attributes: Mapping[str, Any]) -> bool:
    return bool(attributes.get("enable_relstorage"))


def database(
    attributes: Mapping[str, Any], apps: Mapping[str, Any], my_layers: Sequence[str]
) -> Database:
    """The database from `relstorage.db`, else from a registered database (data source) of
    an app on one of `my_layers`; a ValueError naming the attribute when there is none."""
    rel = attributes.get("relstorage") or {}
    db = rel.get("db") or {}
    if db.get("host") or db.get("dbname"):
        return _checked(
            f"{REL}.db",
            host=db.get("host"),
            port=db.get("port", DEFAULT_PG_PORT),
            dbname=db.get("dbname"),
            user=db.get("user"),
            password=db.get("password") or "",
        )
    wanted = rel.get("data_source")
    for name in sorted(apps):
        app = apps[name]
        if not set(app.get("layers") or ()) & set(my_layers):
            continue
        for source in app.get("data_sources") or ():
            if source.get("engine") != "postgresql":
                continue
            if wanted and source.get("name") != wanted:
                continue
            return _checked(
                f"data source {source.get('name')} of app {name}",
                host=source.get("host"),
                port=source.get("port", DEFAULT_PG_PORT),
                dbname=source.get("database"),
                user=source.get("user"),
                password=source.get("password") or "",
            )
    if wanted:
        raise ValueError(
            f"{REL}.data_source: no app on this instance's layers uses a PostgreSQL "
            f"database named {wanted!r}"
        )
    raise ValueError(
        f"{PREFIX}.enable_relstorage: no database: set {REL}.db (host, dbname, user, password) "
        "or give an app of this layer a registered PostgreSQL database as its data source"
    )


def cache_servers(
    attributes: Mapping[str, Any], layers: Mapping[str, Any], memcached_port: Any
) -> list[str]:
    """`relstorage.cache_servers` when set (host:port each), else `host:port` of every online
    instance of `relstorage.memcached_layer`, by hostname, at `memcached_port`."""
    rel = attributes.get("relstorage") or {}
    fixed = rel.get("cache_servers")
    if fixed is not None:
        if isinstance(fixed, str) or not isinstance(fixed, Sequence):
            raise ValueError(f"{REL}.cache_servers: expected a list of host:port, got {fixed!r}")
        return [_host_port(str(item), f"{REL}.cache_servers[{n}]") for n, item in enumerate(fixed)]
    number = values.port(memcached_port, "memcached.port")
    layer = layers.get(str(rel.get("memcached_layer") or "memcached")) or {}
    instances = layer.get("instances") or {}
    return [
        f"{instances[hostname]['private_ip']}:{number}"
        for hostname in sorted(instances)
        if instances[hostname].get("status", "online") == "online"
        and instances[hostname].get("private_ip")
    ]


def dsn(db: Database) -> str:
    """The libpq connection string, every value quoted (a quote or backslash escaped) and
    every `$` doubled, since ZConfig would take it for a substitution."""
    parts = {
        "host": db.host,
        "port": str(db.port),
        "dbname": db.dbname,
        "user": db.user,
        **({"password": db.password} if db.password else {}),
    }
    quoted = " ".join(
        f"{key}='{value.replace(chr(92), chr(92) * 2).replace(chr(39), chr(92) + chr(39))}'"
        for key, value in parts.items()
    )
    return quoted.replace("$", "$$")


def zodb_section(
    attributes: Mapping[str, Any],
    *,
    home: str,
    client_name: str | None,
    servers: Sequence[str],
    relstorage: RelStorage | None = None,
) -> list[str]:
    """The `%import` and `<zodb_db main>` lines of a client's zope.conf: a ZEO client of
    `servers`, or with `relstorage` a RelStorage of its database. `client_name` None is the
    console (no persistent cache of its own)."""
    cache_objects = values.positive(attributes.get("zodb_cache_size"), f"{PREFIX}.zodb_cache_size")
    shared = attributes.get("nfs_blobs")
    blob_dir = str(shared) if shared else f"{home}/var/blobcache"
    for name, value in (("instance home", home), (f"{PREFIX}.nfs_blobs", blob_dir)):
        if not _SAFE.match(value):
            raise ValueError(f"{name}: {value!r} cannot be written into zope.conf")
    persistent = bool(attributes.get("persistent_cache")) and client_name is not None
    if relstorage is None:
        inner = _zeo_client(attributes, servers, blob_dir, shared=bool(shared))
        if persistent:
            inner.append(f"    client {client_name}")
        section = ["  <zeoclient>", *inner, "  </zeoclient>"]
        module = "ZEO"
    else:
        inner = _relstorage(attributes, relstorage, blob_dir, shared=bool(shared))
        if persistent:
            inner.append("    cache-local-dir $INSTANCE/var/relstorage-cache")
        section = ["  <relstorage>", *inner, *_adapter(relstorage.database), "  </relstorage>"]
        module = "relstorage"
    return [
        f"%import {module}",
        "",
        "<zodb_db main>",
        "  mount-point /",
        f"  cache-size {cache_objects}",
        *section,
        "</zodb_db>",
    ]


def package_pins(attributes: Mapping[str, Any]) -> list[tuple[str, str]]:
    """`relstorage.packages` as (distribution, version) pairs; each must be `name==version`
    (extras allowed), so the release's install is pinned and can be checked."""
    packages = (attributes.get("relstorage") or {}).get("packages") or []
    pins = []
    for n, spec in enumerate(packages):
        match = _PIN.match(str(spec))
        if match is None:
            raise ValueError(f"{REL}.packages[{n}]: expected name==version, got {spec!r}")
        pins.append((match.group(1), match.group(3)))
    return pins


def pins_check(pins: Sequence[tuple[str, str]]) -> str:
    """Python source that exits 0 when every pinned distribution is installed at its version:
    the guard that keeps a release from reinstalling what it has."""
    wanted = repr(list(pins))
    return (
        "import importlib.metadata as m, sys\n"
        "def v(n):\n"
        "    try:\n"
        "        return m.version(n)\n"
        "    except m.PackageNotFoundError:\n"
        "        return None\n"
        f"sys.exit(0 if all(v(n) == want for n, want in {wanted}) else 1)\n"
    )


# -- recipe side --------------------------------------------------------------------------------


def resolve(r: Recipe, attributes: Mapping[str, Any]) -> RelStorage | None:
    """The RelStorage target of this instance's clients, None when `enable_relstorage` is off;
    a bad or missing setting fails the recipe naming it."""
    if not enabled(attributes):
        return None
    port = (r.node.get("memcached") or {}).get("port", MEMCACHED_DEFAULTS["memcached"]["port"])
    try:
        db = database(attributes, r.stack.apps, list(r.stack.self.get("layers") or ()))
        servers = cache_servers(attributes, r.stack.layers, port)
    except ValueError as error:
        r.fail(str(error))
    return RelStorage(db, tuple(servers))


def install_packages(r: Recipe, attributes: Mapping[str, Any], venv: Path, cwd: str) -> None:
    """RelStorage, psycopg2 and the memcache client (`relstorage.packages`) into the release
    venv when `enable_relstorage` and they are not there at those versions yet. The app's
    own requirements stay as they are: these are added only to RelStorage releases."""
    if not enabled(attributes):
        return
    specs = [str(s) for s in (attributes.get("relstorage") or {}).get("packages") or []]
    try:
        pins = package_pins(attributes)
    except ValueError as error:
        r.fail(str(error))
    python = str(venv / "bin" / "python")
    r.execute(
        f"RelStorage packages into {venv}",
        command=[sys.executable, "-m", "pip", "--python", python, "install", "--quiet", *specs],
        cwd=cwd,
        not_if=[python, "-c", pins_check(pins)],
        timeout=float(attributes.get("install_timeout") or 1200),
    )


# -- helpers ------------------------------------------------------------------------------------


def _zeo_client(
    attributes: Mapping[str, Any], servers: Sequence[str], blob_dir: str, *, shared: bool
) -> list[str]:
    if not servers:
        raise ValueError(f"{PREFIX}: no ZEO server is online to connect the clients to")
    cache_size = str(attributes.get("zeo_client_cache_size", "128MB"))
    if not _SIZE.match(cache_size):
        raise ValueError(
            f"{PREFIX}.zeo_client_cache_size: expected a size like 128MB, got {cache_size!r}"
        )
    return [
        *[f"    server {server}" for server in servers],
        "    storage 1",
        "    name zeostorage",
        "    var $INSTANCE/var",
        f"    cache-size {cache_size}",
        f"    blob-dir {blob_dir}",
        f"    shared-blob-dir {'on' if shared else 'off'}",
    ]


def _relstorage(
    attributes: Mapping[str, Any], target: RelStorage, blob_dir: str, *, shared: bool
) -> list[str]:
    rel = attributes.get("relstorage") or {}
    blob_cache = str(rel.get("blob_cache_size") or "512MB")
    if not _SIZE.match(blob_cache):
        raise ValueError(f"{REL}.blob_cache_size: expected a size like 512MB, got {blob_cache!r}")
    local_mb = values.positive(rel.get("cache_local_mb", 64), f"{REL}.cache_local_mb")
    prefix = str(rel.get("cache_prefix") or target.database.dbname)
    if not _SAFE.match(prefix):
        raise ValueError(f"{REL}.cache_prefix: {prefix!r} cannot be written into zope.conf")
    lines = [
        "    name relstorage",
        f"    keep-history {'true' if rel.get('keep_history', True) else 'false'}",
        f"    blob-dir {blob_dir}",
        f"    shared-blob-dir {'true' if shared else 'false'}",
        *([] if shared else [f"    blob-cache-size {blob_cache.lower()}"]),
        f"    cache-local-mb {local_mb}",
    ]
    if target.cache_servers:
        lines += [
            f"    cache-servers {' '.join(target.cache_servers)}",
            # python-memcached: pure Python, nothing to compile against libmemcached
            "    cache-module-name memcache",
            f"    cache-prefix {prefix}",
        ]
    return lines


def _adapter(db: Database) -> list[str]:
    return [
        "    <postgresql>",
        "      driver psycopg2",
        f"      dsn {dsn(db)}",
        "    </postgresql>",
    ]


def _checked(where: str, **fields: Any) -> Database:
    try:
        host = check_host(str(fields["host"] or ""), f"{where}.host")
        dbname = check_database_field(str(fields["dbname"] or ""), f"{where}.dbname")
        user = check_database_field(str(fields["user"] or ""), f"{where}.user")
    except InvalidInput as error:
        raise ValueError(str(error)) from None
    password = str(fields["password"])
    if any(c in password for c in "\n\r\0"):
        raise ValueError(f"{where}.password: must be one line")
    return Database(host, values.port(fields["port"], f"{where}.port"), dbname, user, password)


def _host_port(value: str, name: str) -> str:
    host, sep, number = value.rpartition(":")
    if not sep:
        raise ValueError(f"{name}: expected host:port, got {value!r}")
    try:
        check_host(host, name)
    except InvalidInput as error:
        raise ValueError(str(error)) from None
    return f"{host}:{values.port(number, name)}"
