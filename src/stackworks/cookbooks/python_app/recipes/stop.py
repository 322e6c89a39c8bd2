"""python_app::stop: stop the processes of every app deployed here (they stay defined)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.python_app import declare, releases

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    for name, app in declare.apps_here(r):
        paths = declare.paths(r, name)
        current = releases.current_release(paths)
        if current is None:
            continue
        processes = declare.plan(r, name, app, current, declare.release_procfile(r, name, current))
        declare.services(r, processes, paths.release(current), "stop")
