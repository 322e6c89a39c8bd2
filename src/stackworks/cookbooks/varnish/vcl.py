"""The VCL and the varnishd arguments from the stack, as pure functions.

Every value that goes into the VCL or onto varnishd's command line is checked here first; a
value that cannot go there raises VclError naming the attribute.
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

_COOKIE = re.compile(r"^[A-Za-z0-9_-]+$")
_SIZE = re.compile(r"^\d+[kmgt]?$")
_JAILS = {"none", "unix"}


class VclError(ValueError):
    """An attribute that cannot go into the VCL or varnishd's arguments; the message names it."""


@dataclass(frozen=True)
class Layout:
    """Where one instance's varnishd keeps its files, all under the instance's roots."""

    vcl: str  # <etc>/varnish/default.vcl
    secret: str  # <etc>/varnish/secret, mode 0600
    workdir: str  # <var>/varnish: varnishd -n (shared memory log, compiled VCLs)
    pid: str  # <run>/varnishd.pid


def layout(roots: Mapping[str, str]) -> Layout:
    return Layout(
        vcl=f"{roots['etc']}/varnish/default.vcl",
        secret=f"{roots['etc']}/varnish/secret",
        workdir=f"{roots['var']}/varnish",
        pid=f"{roots['run']}/varnishd.pid",
    )


def admin_address(private_ip: str, settings: Mapping[str, Any]) -> str:
    """`host:port` of the admin CLI: the private address when it is a loopback one (each
    local instance has its own), else 127.0.0.1; never an address other hosts reach."""
    port = number(settings, "admin_port", upper=65535)
    host = private_ip if ipaddress.ip_address(private_ip).is_loopback else "127.0.0.1"
    return f"{host}:{port}"


def render_vcl(
    settings: Mapping[str, Any],
    *,
    backend_host: str,
    backend_port: int,
    purgers: Iterable[str],
) -> str:
    """The VCL text: HAProxy at `backend_host:backend_port` as the backend, PURGE/BAN allowed
    from `purgers` only (this instance's own addresses)."""
    variables = {
        "backend": {"host": _ip(backend_host, "self.private_ip"), "port": backend_port},
        "connect_timeout": number(settings, "connect_timeout", upper=3600),
        "first_byte_timeout": number(settings, "first_byte_timeout", upper=86400),
        "purgers": [_ip(ip, "self.private_ip") for ip in dict.fromkeys(purgers)],
        "pass_cookies": pass_cookies(settings),
    }
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("default.vcl.j2").render(variables)


def pass_cookies(settings: Mapping[str, Any]) -> list[str]:
    value = settings.get("pass_cookies") or []
    # attributes reach recipes as read-only views: a JSON list arrives as a tuple
    if not isinstance(value, list | tuple) or not all(
        isinstance(name, str) and _COOKIE.match(name) for name in value
    ):
        raise VclError(
            f"varnish.pass_cookies: expected a list of cookie names (letters, digits, _ and -), "
            f"got {value!r}"
        )
    return [str(name) for name in value]


def daemon_arguments(
    settings: Mapping[str, Any],
    *,
    listen: Iterable[str],
    admin: str,
    paths: Layout,
    jail: str | None,
) -> list[str]:
    """varnishd's arguments after the program: foreground (-F), every file under `paths`."""
    size = str(settings.get("storage_size"))
    if not _SIZE.match(size):
        raise VclError(f"varnish.storage_size: expected a size like 256m or 2g, got {size!r}")
    port = number(settings, "port", upper=65535)
    arguments = ["-F"]
    for ip in dict.fromkeys(listen):
        arguments += ["-a", f"{_ip(ip, 'self.private_ip')}:{port}"]
    arguments += [
        "-T",
        admin,
        "-S",
        paths.secret,
        "-n",
        paths.workdir,
        "-P",
        paths.pid,
        "-f",
        paths.vcl,
        "-s",
        f"malloc,{size}",
        "-t",
        str(number(settings, "default_ttl", upper=10**8)),
    ]
    return arguments + jail_arguments(jail)


def jail_arguments(jail: str | None) -> list[str]:
    if jail is None:
        return []
    if jail not in _JAILS:
        raise VclError(f"varnish.jail: expected one of {', '.join(sorted(_JAILS))}, got {jail!r}")
    return ["-j", jail]


def number(settings: Mapping[str, Any], key: str, upper: int = 10**9) -> int:
    value = settings.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= upper:
        raise VclError(f"varnish.{key}: expected a whole number from 1 to {upper}, got {value!r}")
    return value


def _ip(value: str, name: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise VclError(f"{name}: {value!r} is not an IP address") from None
