"""python_app::configure: re-render each deployed app's deploy.json; restart on a change.

Configure runs on every instance when the stack changes (an instance came online or went
away), so the config an app reads stays current. The services are declared too: a change to
their definition (environment, port count) restarts them as well.
"""

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
        commit = releases.read_marker(paths, current).get("commit")
        config_file = r.file(
            str(paths.deploy_json),
            content=declare.deploy_config(r, name, app, commit),
            mode=0o600,
            sensitive=True,
        )
        processes = declare.plan(r, name, app, current, declare.release_procfile(r, name, current))
        for handle in declare.services(r, processes, paths.release(current), ("enable", "start")):
            config_file.notifies("restart", handle)
        declare.retire(r, name, processes)
