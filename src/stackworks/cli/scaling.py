"""`stackworks instance schedule`, `stackworks instance metrics` and `stackworks layer scaling`.

`instance schedule STACK HOST` shows a time-based instance's week; `--monday 9-17` (09:00 to
17:00 UTC) and the other days change the days named, `--schedule '{...}'` (OpsWorks' shape)
replaces the week, `--clear` empties it first. `layer scaling STACK LAYER` shows the layer's
load-based thresholds; any option changes only what it names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

import typer

from stackworks.cli import options
from stackworks.cli.errors import UsageError
from stackworks.cli.output import Output, when
from stackworks.cli.runtime import runtime
from stackworks.cli.stacks import Json
from stackworks.domain.errors import InvalidInput
from stackworks.domain.schedules import (
    DAYS,
    WeeklySchedule,
    hour_ranges,
    parse_schedule,
    with_days,
)
from stackworks.wire.schemas import (
    LoadScalingOut,
    LoadScalingUpdate,
    ScheduleOut,
    ThresholdsIn,
    ThresholdsOut,
    WeeklyScheduleIn,
)


def _day(name: str) -> object:
    return typer.Option(f"--{name.lower()}", help=f"{name}'s UTC hours on, e.g. 9-17 or off")


Hours = str | None


def ranges_text(hours: Iterable[int]) -> str:
    """Hours as ranges, the way `--monday` takes them: {9..16} -> 9-17."""
    spans: list[str] = []
    ordered = sorted(hours)
    while ordered:
        start = end = ordered.pop(0)
        while ordered and ordered[0] == end + 1:
            end = ordered.pop(0)
        spans.append(f"{start}-{end + 1}")
    return ",".join(spans) or "off"


def show_schedule(output: Output, found: ScheduleOut) -> None:
    schedule = parse_schedule(found.schedule)
    output.fields(
        f"schedule of {found.stack}/{found.hostname} (UTC)",
        [
            ("scaling", found.scaling.value),
            ("on now", found.on_now),
            *[(day, ranges_text(schedule.hours(day))) for day in DAYS],
        ],
    )


def schedule(
    ctx: typer.Context,
    stack: str,
    hostname: str,
    monday: Annotated[Hours, _day("Monday")] = None,
    tuesday: Annotated[Hours, _day("Tuesday")] = None,
    wednesday: Annotated[Hours, _day("Wednesday")] = None,
    thursday: Annotated[Hours, _day("Thursday")] = None,
    friday: Annotated[Hours, _day("Friday")] = None,
    saturday: Annotated[Hours, _day("Saturday")] = None,
    sunday: Annotated[Hours, _day("Sunday")] = None,
    whole: Annotated[
        str | None,
        typer.Option(
            "--schedule", help='the whole week, e.g. \'{"Monday": {"9": "on"}}\', or @file.json'
        ),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="start from an empty week")] = False,
    as_json: Json = False,
) -> None:
    """Show or set a time-based instance's weekly schedule (UTC hours; default off)."""
    rt = runtime(ctx)
    given = [monday, tuesday, wednesday, thursday, friday, saturday, sunday]
    try:
        days = {
            day: hour_ranges(text, field=f"--{day.lower()}")
            for day, text in zip(DAYS, given, strict=True)
            if text is not None
        }
        base: WeeklySchedule | None = None
        if whole is not None:
            base = parse_schedule(
                options.json_object("--schedule", whole), field_prefix="--schedule "
            )
    except InvalidInput as wrong:
        raise UsageError(f"{wrong.field}: {wrong.message}") from None
    if clear and base is None and not days:
        rt.client.clear_schedule(stack, hostname)
        found = rt.client.get_schedule(stack, hostname)
    elif base is not None or days:
        if base is None:
            base = (
                WeeklySchedule()
                if clear
                else parse_schedule(rt.client.get_schedule(stack, hostname).schedule)
            )
        week = with_days(base, days).to_dict()
        found = rt.client.put_schedule(stack, hostname, WeeklyScheduleIn(**week))
    else:
        found = rt.client.get_schedule(stack, hostname)
    if as_json:
        rt.output.json(found)
    else:
        show_schedule(rt.output, found)


def metrics(
    ctx: typer.Context,
    stack: str,
    hostname: str,
    since: Annotated[
        str | None, typer.Option("--since", help="ISO 8601 moment; default an hour ago")
    ] = None,
    resolution: Annotated[
        str, typer.Option("--resolution", help="raw (heartbeats, a day) or minute (two weeks)")
    ] = "minute",
    as_json: Json = False,
) -> None:
    """Show an instance's metrics history."""
    rt = runtime(ctx)
    if resolution not in ("raw", "minute"):
        raise UsageError("--resolution: raw or minute")
    found = rt.client.instance_metrics(stack, hostname, since=since, resolution=resolution)
    if as_json:
        rt.output.json(found)
        return
    rt.output.table(
        f"metrics of {found.stack}/{hostname} ({found.resolution})",
        ["at", "cpu %", "memory %", "disk %", "load1", "samples"],
        (
            (when(p.at), _num(p.cpu), _num(p.memory), _num(p.disk), _num(p.load1), str(p.samples))
            for p in found.points
        ),
    )


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


# --- layer scaling ---------------------------------------------------------------------------


def _opt(flag: str, what: str) -> object:
    return typer.Option(flag, help=what, show_default=False)


Number = float | None


def _threshold_text(value: float, unit: str) -> str:
    return "disabled" if value == -1 else f"{value:g}{unit}"


def _step_text(step: ThresholdsOut, verb: str) -> str:
    return (
        f"{verb} {step.instance_count} after {step.thresholds_wait_time:g} min, "
        f"then ignore metrics {step.ignore_metrics_time:g} min"
    )


def show_load_scaling(output: Output, found: LoadScalingOut) -> None:
    up, down = found.up_scaling, found.down_scaling
    output.fields(
        f"load-based scaling of {found.stack}/{found.layer}",
        [
            ("enabled", found.enable),
            ("load-based instances", ", ".join(found.load_based_instances) or "none"),
            ("up when any over", _limits(up)),
            ("up step", _step_text(up, "start")),
            ("down when all under", _limits(down)),
            ("down step", _step_text(down, "stop")),
            (
                "last action",
                f"{found.state.last_action or ''} {when(found.state.last_action_at)}".strip(),
            ),
        ],
    )


def _limits(step: ThresholdsOut) -> str:
    return (
        f"cpu {_threshold_text(step.cpu_threshold, '%')}, "
        f"memory {_threshold_text(step.memory_threshold, '%')}, "
        f"load {_threshold_text(step.load_threshold, '')}"
    )


def _thresholds(
    count: int | None, wait: Number, ignore: Number, cpu: Number, memory: Number, load: Number
) -> ThresholdsIn | None:
    given = {
        "instance_count": count,
        "thresholds_wait_time": wait,
        "ignore_metrics_time": ignore,
        "cpu_threshold": cpu,
        "memory_threshold": memory,
        "load_threshold": load,
    }
    chosen = {name: value for name, value in given.items() if value is not None}
    return ThresholdsIn(**chosen) if chosen else None


def layer_scaling(
    ctx: typer.Context,
    stack: str,
    layer: str,
    enable: Annotated[
        bool | None, typer.Option("--enable/--disable", help="turn load-based scaling on or off")
    ] = None,
    up_cpu: Annotated[Number, _opt("--up-cpu", "start when average cpu % is over; -1 off")] = None,
    up_memory: Annotated[Number, _opt("--up-memory", "... memory % is over; -1 off")] = None,
    up_load: Annotated[Number, _opt("--up-load", "... load1 is over; -1 off")] = None,
    up_instances: Annotated[int | None, _opt("--up-instances", "instances per up step")] = None,
    up_wait: Annotated[Number, _opt("--up-wait", "minutes over before a step")] = None,
    up_ignore: Annotated[Number, _opt("--up-ignore", "minutes to ignore metrics after")] = None,
    down_cpu: Annotated[Number, _opt("--down-cpu", "stop when average cpu % is under")] = None,
    down_memory: Annotated[Number, _opt("--down-memory", "... memory % is under")] = None,
    down_load: Annotated[Number, _opt("--down-load", "... load1 is under")] = None,
    down_instances: Annotated[int | None, _opt("--down-instances", "per down step")] = None,
    down_wait: Annotated[Number, _opt("--down-wait", "minutes under before a step")] = None,
    down_ignore: Annotated[Number, _opt("--down-ignore", "minutes to ignore after")] = None,
    as_json: Json = False,
) -> None:
    """Show or change a layer's load-based scaling (up: any threshold over; down: all under)."""
    rt = runtime(ctx)
    up = _thresholds(up_instances, up_wait, up_ignore, up_cpu, up_memory, up_load)
    down = _thresholds(down_instances, down_wait, down_ignore, down_cpu, down_memory, down_load)
    if enable is None and up is None and down is None:
        found = rt.client.get_load_scaling(stack, layer)
    else:
        change: dict[str, object] = {}
        if enable is not None:
            change["enable"] = enable
        if up is not None:
            change["up_scaling"] = up
        if down is not None:
            change["down_scaling"] = down
        found = rt.client.update_load_scaling(
            stack, layer, LoadScalingUpdate.model_validate(change)
        )
    if as_json:
        rt.output.json(found)
    else:
        show_load_scaling(rt.output, found)
