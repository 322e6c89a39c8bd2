"""varnish::purge (seed 001's varnish-purge): ban every cached URL matching one of the
regexps in `varnish.purge_urls` (default: everything), one `varnishadm ban` each.

The regexps match the URL Varnish sees: behind this layer's nginx that is the rewritten one,
`/VirtualHostBase/http/<host>:<port>/<site_id>/VirtualHostRoot/<path>`, so anchor on the end
(`/news$`) or use `/VirtualHostRoot/news` rather than `^/news`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.varnish import admin, service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    try:
        regexps = admin.purge_urls(r.node["varnish"].get("purge_urls"))
    except ValueError as error:
        r.fail(str(error))
    binary, _t, address, _s, secret = service.admin_base(r)
    for regex in regexps:
        r.execute(f"ban req.url ~ {regex}", command=admin.ban_argv(binary, address, secret, regex))
