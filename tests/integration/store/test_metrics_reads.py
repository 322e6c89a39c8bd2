"""The metrics history's reads: a layer's minutes are its instances' minute series averaged,
raw and compacted minutes alike, each instance counting once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from stackworks.domain import metrics
from stackworks.domain.metrics import MetricPoint, Resolution
from stackworks.store import instances as instance_store
from stackworks.store import metrics as metric_store
from stackworks.store import stacks as stack_store
from support.api_harness import make_instance, make_layer, make_stack, serve_api

T0 = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)


def test_a_layer_series_averages_each_instances_minutes_counting_each_once(
    tmp_path: Path,
) -> None:
    with serve_api(f"sqlite:///{tmp_path / 'db'}", tmp_path) as api:
        make_stack(api, "demo")
        make_layer(api, "demo", "app")
        for host in ("app1", "app2"):
            make_instance(api, "demo", ["app"], host)
        with api.db.transaction() as session:
            stack = stack_store.get_by_name(session, "demo")
            ids = [i.id for i in instance_store.list_for_stack(session, stack.id)]
            # app1: three beats in minute 0 (one without memory), a compacted minute 1 of 4
            for second, cpu, memory in ((0, 10.0, 50.0), (20, 20.0, None), (40, 60.0, 70.0)):
                at = T0 + timedelta(seconds=second)
                metric_store.add(session, ids[0], MetricPoint(at=at, cpu=cpu, memory=memory))
            session.add(
                metric_store._row(
                    ids[0],
                    MetricPoint(at=T0 + timedelta(minutes=1), cpu=40.0, samples=4),
                    Resolution.MINUTE,
                )
            )
            # app2: one beat in minute 0 only
            metric_store.add(session, ids[1], MetricPoint(at=T0, cpu=90.0, load1=1.5))
            session.flush()
            found = metric_store.layer_series(session, ids, since=T0 - timedelta(hours=1))
            per_instance = [
                metric_store.series(
                    session, i, since=T0 - timedelta(hours=1), resolution=Resolution.MINUTE
                )
                for i in ids
            ]
    assert [(p.at, p.cpu, p.memory, p.load1, p.samples) for p in found] == [
        (T0, 60.0, 60.0, 1.5, 2),  # app1's minute mean 30, app2's 90: 60; memory app1's only
        (T0 + timedelta(minutes=1), 40.0, None, None, 1),
    ]
    expected = {}
    for series in per_instance:
        for point in series:
            expected.setdefault(point.at, []).append(point)
    assert found == [
        metrics.average([MetricPoint(at=m, samples=1, **p.values()) for p in ps], m)
        for m, ps in sorted(expected.items())
    ]
