"""zeoserver::backup: a repozo backup of Data.fs into `<var>/backups`, then retention.

Incremental by default (repozo makes a full backup when there is none yet, or when the
storage was packed); a full one when the command's `args.full` is true. After it, full
backups beyond `zeoserver.backup_keep` go, with the incrementals that follow them. Does
nothing when `zeoserver.enable_backup` is false. Blobs are not in repozo's backups.
zeoserver::configure schedules the same backup at `zeoserver.backup_schedule` (daily); this
recipe backs up now (an `execute_recipes` deployment).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from stackworks.cookbooks.zeoserver import config, declare
from stackworks.cookbooks.zeoserver.backups import MODULE as BACKUPS

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    s = declare.settings(r)
    if not s["enable_backup"]:
        r.log("zeoserver.enable_backup is false: no backup")
        return
    try:
        keep = config.positive(s["backup_keep"], "zeoserver.backup_keep")
    except ValueError as error:
        r.fail(str(error))
        raise
    data = declare.data(r)
    full = bool((r.stack.command.get("args") or {}).get("full"))
    r.directory(data.backups, mode=0o750)
    r.execute(
        f"repozo {'full' if full else 'incremental'} backup",
        command=config.backup_command(declare.program(r, "repozo"), data, full=full),
        timeout=3600,
    )
    r.execute(
        f"keep {keep} full backups",
        command=[
            sys.executable,
            "-m",
            BACKUPS,
            "prune",
            data.backups,
            "--keep",
            str(keep),
        ],
    )
