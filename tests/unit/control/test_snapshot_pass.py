"""The snapshot schedule as the orchestrator runs it: a simulated three weeks of a daily
schedule that keeps 15, on a real (SQLite) store and real archives."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from stackworks.control import periodic
from stackworks.control import volumes as volume_control
from stackworks.domain.entities import Stack
from stackworks.domain.resources import SnapshotReason
from stackworks.store import events
from stackworks.store import stacks as stack_store
from stackworks.store import volumes as volume_store
from stackworks.store.db import Database, sqlite_url
from stackworks.wire import schemas


def test_a_daily_schedule_takes_one_snapshot_a_day_and_keeps_the_newest_fifteen(
    tmp_path: Path,
) -> None:
    db = Database(sqlite_url(tmp_path / "db.sqlite"))
    db.upgrade()
    data_dir = tmp_path / "data"
    with db.transaction() as session:
        stack = stack_store.create(session, Stack(id="", name="shop"))
        body = schemas.VolumeRegister(name="data", snapshot_every_hours=24, snapshot_keep=15)
        volume = volume_control.register_volume(session, stack, body, data_dir)
        Path(volume.path, "file").write_text("payload")
        manual = volume_control.take_snapshot(session, volume)
    assert volume.created_at is not None
    t0 = volume.created_at  # the schedule counts from the volume's creation
    changes = []
    for hour in range(0, 21 * 24, 6):  # every six hours for three weeks
        with db.transaction() as session:
            changes.append(volume_control.snapshot_pass(session, t0 + timedelta(hours=hour)))
    with db.transaction() as session:
        kept = volume_store.snapshots_for_volume(session, volume.id)
        messages = [e.message for e in events.list_for_stack(session, stack.id, limit=1000)]
    scheduled = [s for s in kept if s.reason is SnapshotReason.SCHEDULED]
    assert len(scheduled) == 15
    assert [s.created_at for s in scheduled] == [t0 + timedelta(days=d) for d in range(6, 21)]
    assert manual.id in {s.id for s in kept}  # retention leaves manual snapshots alone
    assert all(Path(s.path).is_file() for s in kept)
    archives = list((data_dir / "snapshots").rglob("*.tar.gz"))
    assert len(archives) == 16  # pruned snapshots took their archives with them
    assert sum(changes) == 20  # a change on each of the 20 days one was due
    assert sum("removed: the schedule keeps 15" in m for m in messages) == 5
    db.dispose()


def test_the_snapshot_pass_is_one_of_the_default_periodic_passes() -> None:
    assert volume_control.snapshot_pass in periodic.default_passes()
