"""plone_instances::start: start the clients of the apps deployed here (running ones stay)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.plone_instances import declare
from stackworks.cookbooks.python_app import releases

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    for name, app in declare.apps_here(r):
        current = releases.current_release(declare.paths(r, name))
        if current is not None:
            homes = declare.rendered_homes(r, name, declare.storage_servers(r))
            declare.write_homes(r, homes)
            declare.run_clients(r, name, app, current, homes, ("enable", "start"))
