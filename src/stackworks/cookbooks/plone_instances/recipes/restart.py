"""plone_instances::restart: restart every client of the apps deployed here, one at a time,
each answering its health check before the next is restarted.

With the command's `args.drop_cache` true, each client is stopped, its ZEO cache files are
deleted, then it starts: needed after `zeoserver::restore` to an older state, which ZEO
clients with a newer cache refuse to reconnect to.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from stackworks.cookbooks.plone_instances import declare
from stackworks.cookbooks.python_app import releases

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    drop = bool((r.stack.command.get("args") or {}).get("drop_cache"))
    for name, app in declare.apps_here(r):
        current = releases.current_release(declare.paths(r, name))
        if current is None:
            continue
        homes = declare.rendered_homes(r, name, declare.storage_servers(r))
        declare.write_homes(r, homes)
        if drop:
            declare.run_clients(
                r,
                name,
                app,
                current,
                homes,
                ("enable", "start"),
                before_each=partial(declare.drop_cache, r),
            )
        else:
            declare.run_clients(r, name, app, current, homes, ("enable", "restart"))
