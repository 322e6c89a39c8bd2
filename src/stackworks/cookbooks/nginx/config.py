"""nginx.conf from the stack, as pure functions.

One default server answers any host; each app with `domains` gets its own server block (its
own access log) for those names. Both rewrite every request to the Plone site's
VirtualHostMonster URL, `/VirtualHostBase/<scheme>/<host>:<port>/<site_id>/VirtualHostRoot<uri>`,
and pass it to the local Varnish. Every value is checked before it goes into the file; one that
cannot go there raises NginxConfigError naming the attribute.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

TEMPLATES = Path(__file__).parent / "templates"

_SITE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
_DOMAIN = re.compile(
    r"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$"
)
_SIZE = re.compile(r"^\d+[kmgKMG]?$")
_USER = re.compile(r"^[a-z_][a-z0-9_-]*$")
_APP = re.compile(r"^[A-Za-z0-9_-]+$")


class NginxConfigError(ValueError):
    """An attribute that cannot go into nginx.conf; the message names it."""


@dataclass(frozen=True)
class Layout:
    """Where one instance's nginx keeps its files, all under the instance's roots."""

    conf: str  # <etc>/nginx/nginx.conf
    prefix: str  # <var>/nginx: nginx -p, the temp paths under it
    temp: str
    pid: str  # <run>/nginx.pid
    error_log: str  # <log>/nginx-error.log
    access_log: str  # <log>/nginx-access.log
    log_dir: str


def layout(roots: Mapping[str, str]) -> Layout:
    prefix = f"{roots['var']}/nginx"
    return Layout(
        conf=f"{roots['etc']}/nginx/nginx.conf",
        prefix=prefix,
        temp=f"{prefix}/tmp",
        pid=f"{roots['run']}/nginx.pid",
        error_log=f"{roots['log']}/nginx-error.log",
        access_log=f"{roots['log']}/nginx-access.log",
        log_dir=roots["log"],
    )


@dataclass(frozen=True)
class Site:
    """An app with domains: a server block of its own."""

    name: str
    domains: tuple[str, ...]
    access_log: str


def sites(apps: Mapping[str, Mapping[str, Any]], log_dir: str) -> list[Site]:
    """The apps that have `domains`, in shortname order; a domain already served by an earlier
    app is left out (nginx would warn of a conflicting server name)."""
    seen: set[str] = set()
    result = []
    for name in sorted(apps):
        if not _APP.match(name):
            raise NginxConfigError(f"apps.{name}: the shortname cannot name a log file")
        domains = []
        for domain in apps[name].get("domains") or ():
            if not isinstance(domain, str) or not _DOMAIN.match(domain):
                raise NginxConfigError(f"apps.{name}.domains: {domain!r} is not a host name")
            if domain.lower() not in seen:
                seen.add(domain.lower())
                domains.append(domain)
        if domains:
            result.append(Site(name, tuple(domains), f"{log_dir}/nginx-{name}-access.log"))
    return result


def render_nginx_config(
    settings: Mapping[str, Any],
    *,
    site_id: Any,
    bind_ips: Iterable[str],
    upstream: str,
    paths: Layout,
    sites: Iterable[Site] = (),
    user: str | None = None,
) -> str:
    """The text of nginx.conf: listen on each of `bind_ips` at `nginx.port`, rewrite to
    `site_id` (`plone_instances.site_id`), pass to Varnish at `upstream` (`ip:port`)."""
    if not isinstance(site_id, str) or not _SITE_ID.match(site_id):
        raise NginxConfigError(
            f"plone_instances.site_id: {site_id!r} is not a Zope id (letters, digits, . _ -)"
        )
    if user is not None and not _USER.match(user):
        raise NginxConfigError(f"nginx.user: {user!r} is not a user name")
    size = str(settings.get("client_max_body_size"))
    if not _SIZE.match(size):
        raise NginxConfigError(
            f"nginx.client_max_body_size: expected a size like 64m, got {size!r}"
        )
    workers = settings.get("worker_processes")
    if workers != "auto":
        workers = _number(settings, "worker_processes", upper=1024)
    variables = {
        "user": user,
        "worker_processes": workers,
        "worker_connections": _number(settings, "worker_connections", upper=1_000_000),
        "client_max_body_size": size,
        "proxy_read_timeout": _number(settings, "proxy_read_timeout", upper=86400),
        "port": _number(settings, "port", upper=65535),
        "bind_ips": [_ip(ip) for ip in dict.fromkeys(bind_ips)],
        "upstream": upstream,
        "site_id": site_id,
        "paths": paths,
        "sites": list(sites),
    }
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("nginx.conf.j2").render(variables)


def _number(settings: Mapping[str, Any], key: str, upper: int) -> int:
    value = settings.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= upper:
        raise NginxConfigError(
            f"nginx.{key}: expected a whole number from 1 to {upper}, got {value!r}"
        )
    return value


def _ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise NginxConfigError(f"self.private_ip: {value!r} is not an IP address") from None
