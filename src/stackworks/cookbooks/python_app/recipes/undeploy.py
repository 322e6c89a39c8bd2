"""python_app::undeploy: stop and remove the app's processes, then its whole directory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.python_app import declare, releases

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    for name, _app in declare.apps_to_deploy(r):
        paths = declare.paths(r, name)
        for service in releases.recorded_services(paths):
            r.service(service, action=("stop", "disable"))
        r.directory(str(paths.root), action="delete")
