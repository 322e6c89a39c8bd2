"""zeoserver::restore: recover Data.fs from the repozo backups into a fresh file storage.

The server stops; repozo writes the backup (the latest, or the one at the command's
`args.date`, `YYYY-MM-DD[-HH[-MM[-SS]]]`) into a new file next to Data.fs; the current
Data.fs (and its index) is kept beside it as `Data.fs.before-restore-<UTC time>`; the new
file takes its place and the server starts. A restore that fails leaves Data.fs as it was.

    stackworks deploy STACK --command execute_recipes --instances zeoserver1 \
        --args '{"recipes": ["zeoserver::restore"], "date": "2026-12-01"}' --wait
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from stackworks.cookbooks.zeoserver import config, declare
from stackworks.cookbooks.zeoserver.backups import MODULE as BACKUPS

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    data = declare.data(r)
    date = (r.stack.command.get("args") or {}).get("date")
    fresh = data.filestorage + ".restoring"
    try:
        restore = config.restore_command(
            declare.program(r, "repozo"), data, fresh, str(date) if date else None
        )
    except ValueError as error:
        r.fail(str(error))
        raise
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    suffix = f".before-restore-{stamp}"
    r.log(f"zeoserver: restoring {data.filestorage} from {data.backups}")
    r.execute("remove a leftover partial restore", command=["/bin/rm", "-f", fresh])
    r.execute("repozo restore", command=restore, timeout=3600)
    declare.service(r, "stop")
    r.execute(
        "keep the replaced Data.fs",
        command=[sys.executable, "-m", BACKUPS, "set-aside", data.filestorage, suffix],
    )
    r.execute("put the restored Data.fs in place", command=["/bin/mv", fresh, data.filestorage])
    r.log(f"zeoserver: the replaced storage is kept as {data.filestorage}{suffix}")
    declare.configure(r, ("enable", "start"))
