"""python_app::rollback: point `current` back at the previous complete release and restart.

The previous release kept its own virtualenv, so it runs with the dependencies it was built
with. Its services run from its directory: their definitions change, so each one restarts.
The release rolled back from stays on disk (a later deploy prunes it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.python_app import declare, releases

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    for name, app in declare.apps_to_deploy(r):
        paths = declare.paths(r, name)
        previous = releases.previous_release(paths)
        if previous is None:
            r.fail(f"app {name}: no earlier release to roll back to")
            return
        commit = releases.read_marker(paths, previous).get("commit")
        r.log(f"app {name}: rolling back to release {previous} ({str(commit)[:12]})")
        r.file(
            str(paths.deploy_json),
            content=declare.deploy_config(r, name, app, commit),
            mode=0o600,
            sensitive=True,
        )
        r.link(str(paths.current), to=f"releases/{previous}")
        processes = declare.plan(
            r, name, app, previous, declare.release_procfile(r, name, previous)
        )
        declare.services(r, processes, paths.release(previous), ("enable", "start"))
        declare.retire(r, name, processes)
