"""Resources' pure parts: the checks that name the field, database URLs, the snapshot schedule
and which snapshots its retention removes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from stackworks.domain.errors import InvalidInput
from stackworks.domain.resources import (
    DatabaseEngine,
    RegisteredDatabase,
    Snapshot,
    SnapshotReason,
    Volume,
    VolumeConfiguration,
    check_host,
    check_mount_point,
    check_port,
    check_resource_name,
    check_schedule,
    check_size,
    check_volume_configurations,
    snapshot_due,
    snapshots_to_prune,
    volume_name_for,
)

T0 = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "mount", ["relative", "/srv/../etc", "/srv//data", "/srv/da ta", "/", "/etc", "/var/log", ""]
)
def test_a_mount_point_must_be_a_plain_absolute_path_outside_the_instance_tree(mount: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_mount_point(mount, "volume_configurations[0].mount_point")
    assert caught.value.field == "volume_configurations[0].mount_point"
    assert caught.value.message.startswith("volume_configurations[0].mount_point:")


def test_a_good_mount_point_comes_back_normalised() -> None:
    assert check_mount_point("/srv/data/") == "/srv/data"
    assert check_mount_point("/srv/exports") == "/srv/exports"


@pytest.mark.parametrize(
    ("check", "value", "field"),
    [
        (check_size, 0, "size"),
        (check_size, 16385, "size"),
        (check_size, True, "size"),
        (check_port, 0, "port"),
        (check_port, 65536, "port"),
        (check_host, "db host", "host"),
        (check_host, "-bad", "host"),
        (check_resource_name, "Upper", "name"),
        (check_resource_name, "", "name"),
        (check_resource_name, "x" * 64, "name"),
    ],
)
def test_bad_values_are_refused_naming_their_field(
    check: object, value: object, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        check(value)  # type: ignore[operator]
    assert caught.value.field == field


def test_a_schedule_needs_sane_hours_and_keeps_at_least_one() -> None:
    assert check_schedule(24, 15) == (24, 15)
    assert check_schedule(0, 15) == (0, 15)
    with pytest.raises(InvalidInput) as hours:
        check_schedule(-1, 15)
    assert hours.value.field == "snapshot_every_hours"
    with pytest.raises(InvalidInput) as keep:
        check_schedule(24, 0)
    assert keep.value.field == "snapshot_keep"


def test_a_layer_cannot_name_one_mount_point_twice() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_volume_configurations(
            [VolumeConfiguration("/srv/data"), VolumeConfiguration("/srv/data/")]
        )
    assert caught.value.field == "volume_configurations[1]"
    (only,) = check_volume_configurations([VolumeConfiguration("/srv/x/", 4, 24, 15)])
    assert only == VolumeConfiguration("/srv/x", 4, 24, 15)


def test_a_volume_made_for_an_instance_is_named_after_it_and_its_mount_point() -> None:
    assert volume_name_for("db1", "/srv/pg") == "db1-srv-pg"
    assert len(volume_name_for("h" * 60, "/srv/data")) <= 63


def test_a_database_url_quotes_its_credentials() -> None:
    db = RegisteredDatabase(
        id="d",
        stack_id="s",
        name="main",
        engine=DatabaseEngine.POSTGRESQL,
        host="db.internal",
        port=5432,
        database="shop",
        user="app@shop",
        password="p@ss:w/rd",
    )
    assert db.url() == "postgresql://app%40shop:p%40ss%3Aw%2Frd@db.internal:5432/shop"
    no_password = RegisteredDatabase("d", "s", "m", DatabaseEngine.MYSQL, "h", 3306, "d", "u")
    assert no_password.url() == "mysql://u@h:3306/d"


def _volume(every: int = 24, created: datetime = T0) -> Volume:
    return Volume(
        id="v", stack_id="s", name="data", path="/d/volumes/s/v",
        snapshot_every_hours=every, created_at=created,
    )  # fmt: skip


def test_a_daily_schedule_is_due_a_day_after_the_last_scheduled_snapshot() -> None:
    volume = _volume()
    assert not snapshot_due(volume, None, T0 + timedelta(hours=23))
    assert snapshot_due(volume, None, T0 + timedelta(hours=24))
    last = T0 + timedelta(hours=24)
    assert not snapshot_due(volume, last, last + timedelta(hours=23, minutes=59))
    assert snapshot_due(volume, last, last + timedelta(hours=24))
    assert not snapshot_due(_volume(every=0), None, T0 + timedelta(days=400))


def _snapshot(n: int, reason: SnapshotReason = SnapshotReason.SCHEDULED) -> Snapshot:
    return Snapshot(
        id=f"s{n:02d}", stack_id="s", volume_id="v", volume_name="data", path=f"/x/{n}",
        reason=reason, created_at=T0 + timedelta(days=n),
    )  # fmt: skip


def test_retention_removes_the_oldest_scheduled_snapshots_beyond_keep_and_never_manual_ones() -> (
    None
):
    snapshots = [_snapshot(n) for n in range(20)] + [_snapshot(0, SnapshotReason.MANUAL)]
    pruned = snapshots_to_prune(list(reversed(snapshots)), keep=15)
    assert [s.id for s in pruned] == ["s00", "s01", "s02", "s03", "s04"]
    assert all(s.reason is SnapshotReason.SCHEDULED for s in pruned)
    assert snapshots_to_prune(snapshots[:15], keep=15) == []
