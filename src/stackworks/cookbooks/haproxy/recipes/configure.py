"""haproxy::configure (also deploy, start, restart): haproxy.cfg from the online app servers.

The new file is checked with `haproxy -c` before it replaces the old one: a bad configuration
fails the command with HAProxy's own message and leaves the running one serving. A changed
file makes HAProxy reload gracefully; the first run starts it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from stackworks.cookbooks.haproxy import config, service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    settings = dict(r.node["haproxy"])
    python_app = r.node.get("python_app") or {}
    plone_instances = r.node.get("plone_instances") or {}
    own_types = config.own_layer_types(r.stack.layers, r.stack.self.get("layers") or ())
    default_type = config.default_backend_type(own_types)
    cpu_count = python_app.get("cpu_count") or os.cpu_count()
    bind_ip = r.stack.self["private_ip"]
    elastic_ip = r.stack.self.get("elastic_ip")  # an address (Elastic IP) it answers on too
    if not bind_ip:
        r.fail(f"instance {r.stack.self['hostname']} has no private_ip for HAProxy to bind to")
    try:
        servers = config.backend_servers(
            r.stack.layers,
            settings.get("backend_layers"),
            python_app,
            cpu_count,
            plone_instances=plone_instances,
            default_type=default_type,
        )
        check = config.backend_health_check(
            settings, r.stack.layers, settings.get("backend_layers"), plone_instances, default_type
        )
        text = config.render_haproxy_config(
            settings,
            bind_ip=str(bind_ip),
            servers=servers,
            runtime_socket=service.runtime_socket(r),
            also_bind=[str(elastic_ip)] if elastic_ip else [],
            own_types=own_types,
            health_check=check,
        )
    except ValueError as error:
        r.fail(str(error))
        raise
    r.log(
        f"haproxy: {len(servers)} backend servers"
        + (f", also on {elastic_ip}" if elastic_ip else "")
    )
    path = service.config_path(r)
    r.directory(str(path.parent), mode=0o755)
    cfg = r.file(
        str(path),
        content=text,
        mode=0o600 if settings.get("stats_password") else 0o644,
        sensitive=bool(settings.get("stats_password")),
        verify=[service.binary(r), "-c", "-f", "{path}"],
    )
    running = service.declare(r, ("enable", "start"))
    cfg.notifies("reload", running)
