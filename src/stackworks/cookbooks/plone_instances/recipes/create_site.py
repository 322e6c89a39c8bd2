"""plone_instances::create_site: the Plone site `plone_instances.site_id` with plone.restapi,
once (deploy also does it). Runs on the layer's first online instance by hostname only, and
only creates the site when the ZODB has no object of that id."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.plone_instances import buildout_build, declare
from stackworks.cookbooks.python_app import releases

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    for name, app in declare.apps_here(r):
        current = releases.current_release(declare.paths(r, name))
        if current is not None:
            build = buildout_build.build_of_release(declare.paths(r, name), current)
            declare.create_site(r, name, app, current, build)
