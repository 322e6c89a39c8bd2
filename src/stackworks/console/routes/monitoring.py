"""Monitoring pages: CPU, memory and load charts over the last hour or day (show level).

- `/stacks/{stack}/monitoring`: a panel per layer (the average over its instances), each
  instance linked to its own page;
- `/stacks/{stack}/monitoring/{hostname}`: one instance's panel.

`?period=hour` (the default) or `?period=day`; anything else is a 422 naming `period`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from stackworks.api.deps import DatabaseDep, SettingsDep, stack_named
from stackworks.console import charts, monitoring_view
from stackworks.console.access import ConsoleShowStack
from stackworks.console.levels import Can, stack_level
from stackworks.console.monitoring_view import Period
from stackworks.console.navigation import INSTANCE_LINKS, STACK_LINKS, NavLink
from stackworks.console.rendering import render
from stackworks.store import instances as instance_store
from stackworks.store.tables import utcnow

router = APIRouter(prefix="/stacks/{stack}/monitoring", include_in_schema=False)

#: what _chart_panel.html calls to draw a chart and say it in words
CHART_HELPERS = {"render_chart": charts.render_svg, "describe_chart": charts.describe}

STACK_LINKS.append(NavLink("Monitoring", "/stacks/{stack}/monitoring", "nav-stack-monitoring"))
INSTANCE_LINKS.append(
    NavLink("Charts", "/stacks/{stack}/monitoring/{hostname}", "instance-monitoring")
)


@router.get("")
def stack_monitoring(
    stack: str,
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    user: ConsoleShowStack,
    period: Period = Period.HOUR,
) -> Response:
    now = utcnow()
    with db.transaction() as session:
        found = stack_named(session, stack)
        can = Can(stack_level(session, user, found))
        interval = settings.heartbeat_for(found).interval
        layers = monitoring_view.layers(session, found, period, now, interval)
    context = _page_context(found.name, can, period, now)
    return render(request, "monitoring.html", {**context, "layers": layers})


@router.get("/{hostname}")
def instance_monitoring(
    stack: str,
    hostname: str,
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    user: ConsoleShowStack,
    period: Period = Period.HOUR,
) -> Response:
    now = utcnow()
    with db.transaction() as session:
        found = stack_named(session, stack)
        can = Can(stack_level(session, user, found))
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        interval = settings.heartbeat_for(found).interval
        panel = monitoring_view.instance(session, instance, period, now, interval)
    context = _page_context(found.name, can, period, now)
    return render(
        request, "monitoring_instance.html", {**context, "instance": instance, "panel": panel}
    )


def _page_context(stack: str, can: Can, period: Period, now: datetime) -> dict[str, Any]:
    """What both monitoring pages show around their charts: the stack bar, the period
    switch and the chart helpers."""
    return {
        "stack": stack,
        "can": can,
        "current": f"/stacks/{stack}/monitoring",
        "period": period,
        "periods": list(Period),
        "now": now,
        **CHART_HELPERS,
    }
