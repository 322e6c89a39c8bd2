"""plone_instances::configure: each deployed app's client files re-rendered from the stack.

Configure runs whenever an instance comes online or leaves: when the ZEO servers' addresses
(or any client setting) changed, the changed clients restart one at a time, each answering
its health check before the next; otherwise nothing restarts. With no ZEO server online the
clients are left as they are (they reconnect by themselves when it is back). A release
deployed while no ZEO server was online gets its clients (and the site) here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.plone_instances import declare
from stackworks.cookbooks.python_app import releases

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    apps = declare.apps_here(r)
    if not apps:
        return
    servers = declare.storage_servers(r)
    if not servers:
        r.log("plone_instances: no ZEO server online; the clients are left as they are")
        return
    for name, app in apps:
        current = releases.current_release(declare.paths(r, name))
        if current is None:
            continue
        homes = declare.rendered_homes(r, name, servers)
        declare.write_homes(r, homes)
        planned = declare.run_clients(r, name, app, current, homes, ("enable", "start"))
        declare.retire(r, name, planned)
        declare.create_site(r, name, app, current)  # a deploy made before ZEO was online
