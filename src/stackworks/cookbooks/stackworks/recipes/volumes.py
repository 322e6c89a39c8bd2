"""stackworks::volumes: the instance's volumes, linked at their mount points.

The list is the configuration's `self.volumes`: each volume's data directory (`path`, kept by
the server under its data dir, so it survives the instance's stop, start and replacement) and
where the instance sees it (`mount_path`: the mount point, inside the instance's root on local
instances). Runs first on setup, so the recipes after it find the data in place. A mount path
that is a real directory rather than a link fails the run instead of hiding what is there.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    volumes = list(r.stack.self.get("volumes") or ())
    if not volumes:
        r.log("no volumes assigned to this instance")
        return
    for volume in volumes:
        path = str(volume["path"])
        mount_path = str(volume["mount_path"])
        r.directory(path, mode=0o755)
        r.directory(posixpath.dirname(mount_path.rstrip("/")), mode=0o755)
        r.link(mount_path, to=path)
        r.log(f"volume {volume['name']} at {volume['mount_point']}")
