"""plone_instances::undeploy: stop and remove the app's clients, then its whole directory
(releases and client homes; the ZODB is the ZEO server's and stays)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.plone_instances import declare
from stackworks.cookbooks.python_app import releases

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    for name, _app in declare.apps_to_deploy(r):
        paths = declare.paths(r, name)
        for service in releases.recorded_services(paths):
            r.service(service, action=("stop", "disable"))
        r.directory(str(paths.root), action="delete")
