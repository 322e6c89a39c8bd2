"""zeoserver::configure schedules the maintenance seed 001 asks for: a daily repozo backup on
every ZEO server, a weekly zeopack on the layer's pack singleton only, and removes the jobs
when they are switched off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stackworks.testing import StackBuilder, run_recipe


def zeo_layer(tmp_path: Path, me: str, attributes: dict[str, Any] | None = None) -> Any:
    builder = StackBuilder("shop", root=tmp_path).layer("zeoserver", type="zeoserver")
    for hostname in ("zeo1", "zeo2"):
        builder.instance(hostname, ["zeoserver"], me=hostname == me)
    return builder.attributes(attributes or {}).build()


def crons(tmp_path: Path, me: str, attributes: dict[str, Any] | None = None) -> dict[str, Any]:
    declared = run_recipe("zeoserver::configure", zeo_layer(tmp_path, me, attributes))
    return {c.name: c.properties for c in declared.all("cron")}


def test_every_zeo_server_backs_up_daily_and_only_the_singleton_packs_weekly(
    tmp_path: Path,
) -> None:
    first = crons(tmp_path / "a", "zeo1")
    assert first["zeoserver-backup"]["schedule"] == "0 3 * * *"
    backup = first["zeoserver-backup"]["command"]
    assert backup[2:4] == ["stackworks.cookbooks.zeoserver.backups", "backup"]
    assert backup[-2:] == ["--keep", "7"]
    assert backup[5].endswith("filestorage/Data.fs")
    assert first["zeoserver-pack"]["schedule"] == "0 4 * * 0"
    assert first["zeoserver-pack"]["command"][-1] == "127.77.0.1:8100"
    second = crons(tmp_path / "b", "zeo2")
    assert "create" in second["zeoserver-backup"]["action"]
    assert second["zeoserver-pack"]["action"] == ("delete",)  # zeo1 packs


def test_switched_off_maintenance_removes_its_jobs_and_schedules_follow_the_attributes(
    tmp_path: Path,
) -> None:
    off = crons(tmp_path / "a", "zeo1", {"zeoserver": {"enable_backup": False}})
    assert off["zeoserver-backup"]["action"] == ("delete",)
    hourly = crons(tmp_path / "b", "zeo1", {"zeoserver": {"backup_schedule": "15 * * * *"}})
    assert hourly["zeoserver-backup"]["schedule"] == "15 * * * *"
