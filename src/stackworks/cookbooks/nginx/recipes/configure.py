"""nginx::configure (also start, restart of the layer): nginx.conf from the stack.

The new file is checked with `nginx -t` before it replaces the old one: a configuration nginx
rejects fails the command with nginx's message and the running one keeps serving. A changed
file makes nginx reload (HUP); the first run starts it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.cookbooks.nginx import config, service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    ip = r.stack.self.get("private_ip")
    if not ip:
        r.fail(f"instance {r.stack.self['hostname']} has no private_ip for nginx to bind to")
    elastic_ip = r.stack.self.get("elastic_ip")
    varnish_port = (r.node.get("varnish") or {}).get("port", 6081)
    if isinstance(varnish_port, bool) or not isinstance(varnish_port, int):
        r.fail(f"varnish.port: expected a whole number from 1 to 65535, got {varnish_port!r}")
    paths = config.layout(r.roots)
    try:
        text = config.render_nginx_config(
            r.node["nginx"],
            site_id=(r.node.get("plone_instances") or {}).get("site_id"),
            bind_ips=[str(ip), *([str(elastic_ip)] if elastic_ip else [])],
            upstream=f"{ip}:{varnish_port}",
            paths=paths,
            sites=config.sites(r.stack.apps, paths.log_dir),
            user=service.workers_user(r),
        )
    except ValueError as error:
        r.fail(str(error))
    r.directory(str(Path(paths.conf).parent), mode=0o755)
    r.directory(paths.temp, mode=0o755)
    r.directory(paths.log_dir, mode=0o755)
    conf = r.file(
        paths.conf,
        content=text,
        verify=[service.binary(r), "-t", "-q", *service.base_arguments(r, "{path}")],
    )
    running = service.declare(r, ("enable", "start"))
    conf.notifies("reload", running)
    r.log(f"nginx: {ip}:{r.node['nginx']['port']} -> varnish {ip}:{varnish_port}")
