"""The pure decisions of the `plone_instances` cookbook: nothing here touches the disk.

Client k (1..N) of an instance listens on its private address at `base_port + k`; N is
`instance_count` if set, else `per_cpu` x the CPU count. The ZEO servers are the online
instances of the `zeo_layer` layer, at `zeoserver.port`. Each client has its own instance
home (etc/zope.conf, etc/zope.ini, var/) rendered here; the front end's cookbook imports
`client_count` and `client_ports` so both sides agree on where the clients listen.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from stackworks.cookbooks.plone_instances import storage
from stackworks.cookbooks.values import positive as positive

#: what the attributes are called in errors
PREFIX = "plone_instances"
#: the ZEO server's port when the stack sets no `zeoserver.port`
DEFAULT_ZEO_PORT = 8100

_SAFE = re.compile(r"^[^\s#<>$]+$")


@dataclass(frozen=True)
class Client:
    """One ZEO client of an instance: its name, service, port and instance home."""

    number: int
    name: str  # client1, client2, ...
    service: str  # <app>-client1, ...
    port: int
    home: str


def client_count(attributes: Mapping[str, Any], cpu_count: int | None = None) -> int:
    """How many clients an instance runs: `instance_count`, else `per_cpu` x CPUs (the
    `cpu_count` attribute, else `cpu_count` given here, else this host's)."""
    explicit = attributes.get("instance_count")
    if explicit is not None:
        return positive(explicit, f"{PREFIX}.instance_count")
    cpus = attributes.get("cpu_count") or cpu_count or os.cpu_count() or 1
    per_cpu = positive(attributes.get("per_cpu", 2), f"{PREFIX}.per_cpu")
    return per_cpu * positive(cpus, f"{PREFIX}.cpu_count")


def client_ports(base_port: Any, count: int) -> list[int]:
    """Ports of clients 1..count: base_port+1 .. base_port+count."""
    base = positive(base_port, f"{PREFIX}.base_port")
    if base + count > 65535:
        raise ValueError(f"{PREFIX}.base_port: {base} + {count} clients passes port 65535")
    return [base + n for n in range(1, count + 1)]


def clients(app_name: str, homes_dir: str, ports: Sequence[int]) -> list[Client]:
    return [
        Client(n, f"client{n}", f"{app_name}-client{n}", port, f"{homes_dir}/client{n}")
        for n, port in enumerate(ports, start=1)
    ]


def zeo_servers(layers: Mapping[str, Any], zeo_layer: str, port: Any) -> list[str]:
    """`host:port` of every online instance of `zeo_layer`, by hostname (the first is the one
    clients try first; the others are failovers)."""
    number = positive(port, "zeoserver.port")
    if number > 65535:
        raise ValueError(f"zeoserver.port: {number} is not a port (1-65535)")
    layer = layers.get(zeo_layer) or {}
    instances = layer.get("instances") or {}
    found = []
    for hostname in sorted(instances):
        info = instances[hostname]
        if info.get("status", "online") == "online" and info.get("private_ip"):
            found.append(f"{info['private_ip']}:{number}")
    return found


def singleton(layers: Mapping[str, Any], layer: str, me: str) -> bool:
    """Whether `me` is the first online instance of `layer` by hostname (or the layer lists
    no online instance, so `me` is all there is)."""
    instances = (layers.get(layer) or {}).get("instances") or {}
    online = sorted(h for h, i in instances.items() if i.get("status", "online") == "online")
    return not online or online[0] == me


def render_zope_conf(
    attributes: Mapping[str, Any],
    *,
    home: str,
    client_name: str | None,
    servers: Sequence[str],
    relstorage: storage.RelStorage | None = None,
) -> str:
    """zope.conf of one client: its storage section (`storage.zodb_section`: a ZEO client of
    `servers`, or RelStorage when `relstorage` is given) between the instance home settings
    and the environment; `client_name` None is the console's."""
    section = storage.zodb_section(
        attributes, home=home, client_name=client_name, servers=servers, relstorage=relstorage
    )
    lines = [
        "# Written by the plone_instances cookbook; changes here are replaced on configure.",
        f"%define INSTANCE {home}",
        "instancehome $INSTANCE",
        "clienthome $INSTANCE/var",
        "debug-mode off",
        *section,
        "",
        "<environment>",
        "  CHAMELEON_CACHE $INSTANCE/var/cache",
        "</environment>",
        "",
    ]
    return "\n".join(lines)


def render_zope_ini(attributes: Mapping[str, Any], *, home: str, host: str, port: int) -> str:
    """zope.ini of one client: Zope's WSGI app under waitress at host:port with
    `zserver_threads` threads; logs to stderr (the service manager keeps them)."""
    threads = positive(attributes.get("zserver_threads"), f"{PREFIX}.zserver_threads")
    if not _SAFE.match(host):
        raise ValueError(f"{PREFIX}: address {host!r} cannot be written into zope.ini")
    return "\n".join(
        [
            "# Written by the plone_instances cookbook; changes here are replaced on configure.",
            "[app:zope]",
            "use = egg:Zope#main",
            f"zope_conf = {home}/etc/zope.conf",
            "",
            "[pipeline:main]",
            "pipeline =",
            "    egg:Zope#httpexceptions",
            "    zope",
            "",
            "[server:main]",
            "use = egg:waitress#main",
            f"host = {host}",
            f"port = {port}",
            f"threads = {threads}",
            "",
            "[loggers]",
            "keys = root",
            "",
            "[handlers]",
            "keys = console",
            "",
            "[formatters]",
            "keys = generic",
            "",
            "[logger_root]",
            "level = INFO",
            "handlers = console",
            "",
            "[handler_console]",
            "class = StreamHandler",
            "args = (sys.stderr,)",
            "level = NOTSET",
            "formatter = generic",
            "",
            "[formatter_generic]",
            "format = %(asctime)s %(levelname)s [%(name)s] %(message)s",
            "",
        ]
    )


def digest(*parts: str) -> str:
    """A short fingerprint of a client's generated files and environment: part of its
    service definition, so a change restarts that client (and only when it changed)."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode())
        hasher.update(b"\0")
    return hasher.hexdigest()[:16]


def health_method(value: Any) -> str:
    method = str(value).upper()
    if method not in ("HEAD", "GET", "OPTIONS"):
        raise ValueError(
            f"{PREFIX}.health_check_method: expected HEAD, GET or OPTIONS, got {value!r}"
        )
    return method


def health_path(value: Any) -> str:
    path = str(value)
    if not path.startswith("/") or not _SAFE.match(path):
        raise ValueError(f"{PREFIX}.health_check_url: expected a path like /, got {value!r}")
    return path


#: layer types whose instances run HAProxy in front of the clients
FRONT_END_TYPES = ("plone-frontend", "lb")


def has_front_end(layers: Mapping[str, Any]) -> bool:
    """Whether some layer of the stack that runs HAProxy has instances."""
    return any(
        (layer or {}).get("type") in FRONT_END_TYPES and (layer or {}).get("instances")
        for layer in layers.values()
    )


def restart_delay(
    plone_instances: Mapping[str, Any], haproxy: Mapping[str, Any], *, front_end: bool = True
) -> float:
    """Seconds between one client's restart being done and the next one's: `restart_delay`
    when set, else what HAProxy needs to see a server up again: `rise` passing checks, one
    every `check_interval` ms, plus one interval for where the first check falls (none when
    the stack has no front end to wait for)."""
    chosen = plone_instances.get("restart_delay")
    if chosen is not None:
        if isinstance(chosen, bool) or not isinstance(chosen, int | float) or chosen < 0:
            raise ValueError(f"{PREFIX}.restart_delay: expected seconds >= 0, got {chosen!r}")
        return float(chosen)
    if not front_end:
        return 0.0
    rise = positive(haproxy.get("rise"), "haproxy.rise")
    interval = positive(haproxy.get("check_interval"), "haproxy.check_interval")
    return (rise + 1) * interval / 1000


def warmup_path(plone_instances: Mapping[str, Any]) -> str | None:
    """The page a restarted client is asked for once: `warmup_url`, by default the site's
    root; None when switched off with an empty string."""
    chosen = plone_instances.get("warmup_url")
    if chosen == "":
        return None
    path = f"/{plone_instances.get('site_id', 'Plone')}" if chosen is None else str(chosen)
    if not path.startswith("/") or not _SAFE.match(path):
        raise ValueError(f"{PREFIX}.warmup_url: expected a path like /Plone, got {chosen!r}")
    return path
