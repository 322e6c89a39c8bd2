"""The monitoring pages: a show user sees each layer's and each instance's CPU, memory and load
charts over the last hour or day, drawn from the stored heartbeats; others see nothing."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from stackworks.domain.metrics import MetricPoint
from stackworks.store import instances as instance_store
from stackworks.store import metrics as metric_store
from stackworks.store import stacks as stack_store
from stackworks.store.tables import utcnow
from support.api_harness import Api, make_instance, make_layer

pytestmark = pytest.mark.integration

Browser = Callable[..., TestClient]  # the `browser` fixture of conftest.py
SVG = re.compile(r'<svg class="chart" id="([^"]+)".*?</svg>', re.DOTALL)


def beat(api: Api, hostname: str, minutes_ago: list[float], cpu: float) -> None:
    now = utcnow()
    with api.db.transaction() as session:
        stack = stack_store.get_by_name(session, "demo")
        instance = instance_store.get_by_hostname(session, stack.id, hostname)
        for ago in minutes_ago:
            point = MetricPoint(
                at=now - timedelta(minutes=ago), cpu=cpu, memory=50.0, load1=0.5, load5=0.4
            )
            metric_store.add(session, instance.id, point)


def charts(html: str) -> dict[str, ET.Element]:
    return {m.group(1): ET.fromstring(m.group(0)) for m in SVG.finditer(html)}


def paths(chart: ET.Element) -> list[str]:
    return [p.get("d", "") for p in chart.iter("{http://www.w3.org/2000/svg}path")]


@pytest.fixture
def stack(demo: Api) -> Api:
    make_layer(demo, "demo", "db")
    make_instance(demo, "demo", ["web"], "web1")
    make_instance(demo, "demo", ["web"], "web2")
    beat(demo, "web1", [30, 29, 28, 27], cpu=20.0)
    beat(demo, "web2", [30, 29, 28, 27], cpu=40.0)
    beat(demo, "web1", [600], cpu=90.0)  # ten hours ago: only on the day's charts
    return demo


def test_a_show_user_sees_each_layer_charted_and_its_instances_linked(
    stack: Api, browser: Browser
) -> None:
    viewer = browser("viewer", "show")
    page = viewer.get("/stacks/demo/monitoring")
    assert page.status_code == 200, page.text
    drawn = charts(page.text)
    assert set(drawn) == {
        f"layer-{layer}-{kind}" for layer in ("web", "db") for kind in ("cpu", "memory", "load")
    }
    cpu = drawn["layer-web-cpu"]
    assert cpu.get("role") == "img"
    [line] = paths(cpu)
    assert line.count("M") == 1 and line.count("L") == 3  # four minutes, one unbroken run
    desc = cpu.find("{http://www.w3.org/2000/svg}desc")
    assert desc is not None and "latest 30%" in (desc.text or "")  # the mean of 20 and 40
    assert paths(drawn["layer-db-cpu"]) == []
    assert "No data for this period" in ET.tostring(drawn["layer-db-cpu"], encoding="unicode")
    assert 'href="/stacks/demo/monitoring/web1?period=hour"' in page.text
    assert 'data-testid="nav-stack-monitoring"' in page.text
    stack_page = viewer.get("/stacks/demo").text
    assert (
        'href="/stacks/demo/monitoring/web2" data-testid="instance-monitoring-web2"' in stack_page
    )


def test_the_day_shows_what_the_hour_does_not(stack: Api, browser: Browser) -> None:
    viewer = browser("viewer", "show")
    hour = charts(viewer.get("/stacks/demo/monitoring/web1").text)
    day = charts(viewer.get("/stacks/demo/monitoring/web1?period=day").text)
    assert set(hour) == {"instance-web1-cpu", "instance-web1-memory", "instance-web1-load"}
    hour_desc = ET.tostring(hour["instance-web1-cpu"], encoding="unicode")
    day_desc = ET.tostring(day["instance-web1-cpu"], encoding="unicode")
    assert "4 points" in hour_desc and "highest 20%" in hour_desc
    assert "5 points" in day_desc and "highest 90%" in day_desc
    # ten hours between the old point and the others: two runs, not one line across the gap
    [day_line] = paths(day["instance-web1-cpu"])
    assert day_line.count("M") == 2
    # load: 1 and 5 minute lines (load15 was never reported: no line)
    assert len(paths(hour["instance-web1-load"])) == 2


def test_a_period_other_than_hour_or_day_is_refused_naming_it(stack: Api, browser: Browser) -> None:
    viewer = browser("viewer", "show")
    answer = viewer.get("/stacks/demo/monitoring?period=week")
    assert answer.status_code == 422
    assert "period" in answer.text and "Traceback" not in answer.text


def test_below_show_the_stack_and_its_monitoring_do_not_exist(stack: Api, browser: Browser) -> None:
    outsider = browser("outsider", "deny")
    assert outsider.get("/stacks/demo/monitoring").status_code == 404
    assert outsider.get("/stacks/demo/monitoring/web1").status_code == 404
    viewer = browser("viewer", "show")
    assert viewer.get("/stacks/demo/monitoring/nosuch").status_code == 404
