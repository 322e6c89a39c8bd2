"""plone_instances::stop (also shutdown): stop every client of the apps deployed here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.plone_instances import declare
from stackworks.cookbooks.python_app import releases

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    for name, _app in declare.apps_here(r):
        for service in releases.recorded_services(declare.paths(r, name)):
            r.service(service, action="stop")
