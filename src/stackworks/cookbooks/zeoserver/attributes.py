"""Default attributes of the `zeoserver` cookbook (overridden by custom JSON)."""

from typing import Any

DEFAULTS: dict[str, Any] = {
    "zeoserver": {
        # the ZEO server listens on the instance's private address at this port
        "port": 8100,
        # repozo backups into <var>/backups by zeoserver::backup
        "enable_backup": True,
        # full backups kept (with the incrementals that follow them)
        "backup_keep": 7,
        # when zeoserver::configure schedules the backup (cron syntax, the instance's clock):
        # daily at 03:00, as seed 001's daily repozo backups
        "backup_schedule": "0 3 * * *",
        # zeopack by zeoserver::pack, on the layer's pack singleton only
        "enable_pack": True,
        # zeopack keeps this many days of history
        "pack_days": 7,
        # when the pack singleton packs: weekly, Sunday 04:00 (seed 001's default frequency)
        "pack_schedule": "0 4 * * 0",
        # an instance volume mounted here holds the data; else <srv>/zeoserver/var
        "volume_mount_point": "/srv/zeoserver/var",
        # ZEO's and ZODB's versions when no constraints file is given (the example's pins)
        "zeo_version": "6.0.0",
        "zodb_version": "6.0",
        # a constraints file (a path on the instance) the ZEO install is pinned by instead
        "constraints": None,
        # interpreter the venv is made from; None = the agent's own
        "python": None,
        # seconds the ZEO install may take
        "install_timeout": 600,
    }
}
