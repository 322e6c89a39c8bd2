"""How the varnish recipes run varnishd: one definition shared by configure, restart and stop."""

from __future__ import annotations

import os
import shutil
import sys
from typing import TYPE_CHECKING, Any

from stackworks.cookbooks.haproxy import config as haproxy_config
from stackworks.cookbooks.varnish import admin, vcl

if TYPE_CHECKING:
    from stackworks.converge import Recipe

SERVICE = "varnish"
_SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")


def program(r: Recipe, key: str) -> str:
    """`varnish.<key>` (binary, admin_binary) as an absolute path (service managers want one)."""
    name = str(r.node["varnish"][key])
    found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), *_SBIN]))
    if found is None:
        r.fail(
            f"varnish.{key}: {name!r} is not installed (looked on PATH and in {', '.join(_SBIN)})"
        )
    return found


def private_ip(r: Recipe) -> str:
    address = r.stack.self.get("private_ip")
    if not address:
        r.fail(f"instance {r.stack.self['hostname']} has no private_ip for Varnish to bind to")
    return str(address)


def jail(r: Recipe) -> str | None:
    """varnishd -j: "none" on a local instance unless set (its tree belongs to one user)."""
    value = r.node["varnish"].get("jail")
    if value is None and r.service_manager == "supervisor":
        return "none"
    return None if value is None else str(value)


def backend_port(r: Recipe) -> int:
    """The local HAProxy's port: `haproxy.port`, or its layer type's default."""
    own = haproxy_config.own_layer_types(r.stack.layers, r.stack.self.get("layers") or ())
    port = haproxy_config.listen_port(r.node.get("haproxy") or {}, own)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port <= 65535:
        r.fail(f"haproxy.port: expected a whole number from 1 to 65535, got {port!r}")
    return port


def admin_base(r: Recipe) -> list[str]:
    """varnishadm with this instance's -T and -S: prefix of every admin command."""
    settings = r.node["varnish"]
    try:
        address = vcl.admin_address(private_ip(r), settings)
    except ValueError as error:
        r.fail(str(error))
    return admin.base_argv(program(r, "admin_binary"), address, vcl.layout(r.roots).secret)


def declare(r: Recipe, action: tuple[str, ...] | str) -> Any:
    """Declare the varnishd service with `action`; returns its handle."""
    settings = r.node["varnish"]
    ip = private_ip(r)
    try:
        arguments = vcl.daemon_arguments(
            settings,
            listen=[ip],
            admin=vcl.admin_address(ip, settings),
            paths=vcl.layout(r.roots),
            jail=jail(r),
        )
    except ValueError as error:
        r.fail(str(error))
    return r.service(
        SERVICE, command=[program(r, "binary"), *arguments], action=action, stop_signal="TERM"
    )


def reload_command(r: Recipe) -> list[str]:
    """The argv that loads the VCL file into the running varnishd (see admin.reload)."""
    base = admin_base(r)
    return [
        sys.executable,
        "-m",
        "stackworks.cookbooks.varnish.admin",
        "reload",
        vcl.layout(r.roots).vcl,
        "--varnishadm",
        base[0],
        "--address",
        base[2],
        "--secret",
        base[4],
        "--timeout",
        str(r.node["varnish"]["admin_timeout"]),
    ]
