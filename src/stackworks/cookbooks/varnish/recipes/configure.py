"""varnish::configure (also start, restart of the layer): the VCL from the stack, varnishd.

The new VCL is compiled with `varnishd -C` before it replaces the old one: a VCL Varnish
rejects fails the command with its message and the running one keeps serving. A changed VCL
is loaded into the running varnishd (vcl.load + vcl.use), so the cache is kept; the first run
starts varnishd. The admin secret is made once and kept (mode 0600, never shown).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.cookbooks.varnish import service, vcl

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    settings = r.node["varnish"]
    ip = service.private_ip(r)
    elastic_ip = r.stack.self.get("elastic_ip")
    paths = vcl.layout(r.roots)
    try:
        text = vcl.render_vcl(
            settings,
            backend_host=ip,
            backend_port=service.backend_port(r),
            purgers=[ip, *([str(elastic_ip)] if elastic_ip else [])],
        )
        jail = vcl.jail_arguments(service.jail(r))
    except ValueError as error:
        r.fail(str(error))
    r.directory(str(Path(paths.vcl).parent), mode=0o755)
    r.directory(paths.workdir, mode=0o755)
    secret_file = Path(paths.secret)
    secret = secret_file.read_text() if secret_file.is_file() else secrets.token_hex(32) + "\n"
    r.file(paths.secret, content=secret, mode=0o600, sensitive=True)
    varnishd = service.program(r, "binary")
    conf = r.file(
        paths.vcl,
        content=text,
        verify=[varnishd, "-C", *jail, "-n", paths.workdir, "-f", "{path}"],
    )
    service.declare(r, ("enable", "start"))
    load = r.execute(
        "load the VCL into varnishd", command=service.reload_command(r), action="nothing"
    )
    conf.notifies("run", load)
    r.log(f"varnish: {ip}:{settings['port']} -> haproxy {ip}:{service.backend_port(r)}")
