"""The console's line charts: metrics series drawn as accessible SVG, in pure Python.

The console ships no chart library and no chart JavaScript: a chart is an `<svg role="img">`
rendered on the server, with axes, a title, a legend and a text alternative (`<title>` and
`<desc>`, also returned by `describe` for the page to show), so it reads the same to a screen
reader and prints the same on a phone. Everything here is a function of its input: no clock, no
store, no I/O.

A series is a list of `(moment, value)`; a value of None, or two points further apart than the
chart's `max_gap` (an instance that was stopped), break the line instead of bridging the hole.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from markupsafe import Markup, escape

Point = tuple[datetime, float | None]

#: the drawing's own coordinate system; the page scales it to its width
WIDTH = 640
HEIGHT = 260
MARGIN_LEFT = 52
MARGIN_RIGHT = 16
MARGIN_TOP = 34
MARGIN_BOTTOM = 30
#: series colours and dash patterns, told apart without colour too (WCAG 1.4.1)
STYLES = (("#1a5fb4", ""), ("#a51d2d", "6 3"), ("#26734d", "2 3"))
#: time-axis steps to choose from, smallest first
TIME_STEPS = tuple(
    timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)
)
MAX_TIME_TICKS = 7
Y_TICKS = 4  # intervals on the value axis: five labels from 0 to the ceiling


@dataclass(frozen=True)
class Series:
    """One line: what it measures (its legend) and its points, oldest first."""

    label: str
    points: Sequence[Point]


@dataclass(frozen=True)
class LineChart:
    """What to draw: the period [start, end], the lines, the unit values are in.

    `ceiling` fixes the top of the value axis (100 for percentages); None takes a round
    number above the highest value. `max_gap`: points further apart than this are not joined.
    """

    title: str
    start: datetime
    end: datetime
    series: Sequence[Series]
    unit: str = ""
    ceiling: float | None = None
    max_gap: timedelta | None = None


@dataclass(frozen=True)
class Plot:
    """The rectangle lines are drawn in, and the value range it shows; maps data to it."""

    start: datetime
    end: datetime
    top_value: float
    left: float = MARGIN_LEFT
    top: float = MARGIN_TOP
    width: float = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    height: float = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def x(self, moment: datetime) -> float:
        span = (self.end - self.start).total_seconds()
        offset = (moment - self.start).total_seconds()
        fraction = offset / span if span > 0 else 0.0
        return self.left + self.width * min(max(fraction, 0.0), 1.0)

    def y(self, value: float) -> float:
        fraction = value / self.top_value if self.top_value > 0 else 0.0
        return self.bottom - self.height * min(max(fraction, 0.0), 1.0)


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value` (1 for 0)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if value <= step * power * (1 + 1e-9):
            return step * power
    return 10.0 * power  # pragma: no cover - the loop's last step always matches


def value_ceiling(chart: LineChart) -> float:
    if chart.ceiling is not None:
        return chart.ceiling
    values = [v for s in chart.series for _, v in s.points if v is not None]
    return nice_ceiling(max(values, default=0.0))


def path_data(points: Sequence[Point], plot: Plot, max_gap: timedelta | None = None) -> str:
    """SVG path commands for a series: `M` starts each unbroken run, `L` joins its points.

    Points outside the plot's period are left out; a None value or a gap over `max_gap`
    starts a new run. A run of one point is drawn as a short dash so it stays visible.
    """
    runs: list[list[tuple[float, float]]] = []
    previous: datetime | None = None
    for moment, value in points:
        if value is None or not (plot.start <= moment <= plot.end):
            previous = None
            continue
        if previous is None or (max_gap is not None and moment - previous > max_gap):
            runs.append([])
        runs[-1].append((plot.x(moment), plot.y(value)))
        previous = moment
    commands: list[str] = []
    for run in runs:
        if len(run) == 1:
            x, y = run[0]
            run = [(x - 1.5, y), (x + 1.5, y)]
        commands.append("M" + " L".join(f"{x:.1f} {y:.1f}" for x, y in run))
    return " ".join(commands)


def time_ticks(start: datetime, end: datetime) -> list[datetime]:
    """Round moments (multiples of a step since midnight UTC) across the period, at most
    `MAX_TIME_TICKS` of them."""
    span = end - start
    if span <= timedelta(0):
        return [start]
    step = next((s for s in TIME_STEPS if span / s <= MAX_TIME_TICKS), TIME_STEPS[-1])
    midnight = start.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = midnight + step * math.ceil((start - midnight) / step)
    ticks: list[datetime] = []
    moment = first
    while moment <= end:
        ticks.append(moment)
        moment += step
    return ticks


def number(value: float) -> str:
    """A value as a label: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _clock(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M")


def describe(chart: LineChart) -> str:
    """The chart in words: its period, then for each line its latest, lowest, highest and mean
    value; or that there is no data. What a screen reader says for the picture."""
    period = (
        f"{chart.start.astimezone(UTC):%Y-%m-%d %H:%M} to "
        f"{chart.end.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    )
    parts = [f"{chart.title}, {period}."]
    unit = chart.unit
    for series in chart.series:
        shown = [
            (m, v) for m, v in series.points if v is not None and chart.start <= m <= chart.end
        ]
        if not shown:
            parts.append(f"{series.label}: no data.")
            continue
        values = [v for _, v in shown]
        latest_at, latest = shown[-1]
        parts.append(
            f"{series.label}: {len(shown)} points; latest {number(latest)}{unit} at "
            f"{_clock(latest_at)}, lowest {number(min(values))}{unit}, highest "
            f"{number(max(values))}{unit}, mean {number(sum(values) / len(values))}{unit}."
        )
    return " ".join(parts)


def has_data(chart: LineChart) -> bool:
    return any(
        v is not None and chart.start <= m <= chart.end for s in chart.series for m, v in s.points
    )


def render_svg(chart: LineChart, chart_id: str) -> Markup:
    """The chart as an inline `<svg>`; `chart_id` makes its title and desc ids unique on the
    page (it must be a valid id: letters, digits, `-`, `_`)."""
    plot = Plot(chart.start, chart.end, value_ceiling(chart))
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="{escape(title_id)} {escape(desc_id)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(title_id)}">{escape(chart.title)}</title>',
        f'<desc id="{escape(desc_id)}">{escape(describe(chart))}</desc>',
        f'<text class="chart-title" x="{MARGIN_LEFT}" y="18" font-size="16" '
        f'font-weight="bold" fill="#1b1b1b">{escape(chart.title)}</text>',
        *_value_axis(plot, chart.unit),
        *_time_axis(plot),
        *_lines(chart, plot),
        *_legend(chart),
    ]
    if not has_data(chart):
        parts.append(
            f'<text x="{plot.left + plot.width / 2:.1f}" y="{plot.top + plot.height / 2:.1f}" '
            'text-anchor="middle" font-size="14" fill="#333">No data for this period</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _value_axis(plot: Plot, unit: str) -> list[str]:
    drawn = []
    for index in range(Y_TICKS + 1):
        value = plot.top_value * index / Y_TICKS
        y = plot.y(value)
        drawn.append(
            f'<line x1="{plot.left}" x2="{plot.left + plot.width}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{"#555" if index == 0 else "#ddd"}" stroke-width="1"/>'
            f'<text x="{plot.left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="14" '
            f'fill="#333">{escape(number(value) + unit)}</text>'
        )
    return drawn


def _time_axis(plot: Plot) -> list[str]:
    drawn = [
        f'<line x1="{plot.left}" x2="{plot.left}" y1="{plot.top}" y2="{plot.bottom}" '
        'stroke="#555" stroke-width="1"/>'
    ]
    for moment in time_ticks(plot.start, plot.end):
        x = plot.x(moment)
        drawn.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{plot.bottom}" y2="{plot.bottom + 4}" '
            'stroke="#555" stroke-width="1"/>'
            f'<text x="{x:.1f}" y="{plot.bottom + 18}" text-anchor="middle" font-size="14" '
            f'fill="#333">{_clock(moment)}</text>'
        )
    return drawn


def _lines(chart: LineChart, plot: Plot) -> list[str]:
    drawn = []
    for index, series in enumerate(chart.series):
        colour, dash = STYLES[index % len(STYLES)]
        data = path_data(series.points, plot, chart.max_gap)
        if data:
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            drawn.append(
                f'<path d="{data}" fill="none" stroke="{colour}" stroke-width="2"{dashed}'
                ' stroke-linejoin="round" stroke-linecap="round"/>'
            )
    return drawn


def _legend(chart: LineChart) -> list[str]:
    if len(chart.series) < 2:
        return []
    drawn = []
    x = WIDTH - MARGIN_RIGHT - 110 * len(chart.series)
    for index, series in enumerate(chart.series):
        colour, dash = STYLES[index % len(STYLES)]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        left = x + 110 * index
        drawn.append(
            f'<line x1="{left}" x2="{left + 22}" y1="14" y2="14" stroke="{colour}" '
            f'stroke-width="2"{dashed}/>'
            f'<text x="{left + 28}" y="18" font-size="14" fill="#1b1b1b">'
            f"{escape(series.label)}</text>"
        )
    return drawn


def thin(points: Sequence[Point], at_most: int) -> list[Point]:
    """At most `at_most` points: consecutive points averaged in equal buckets (each at its
    last moment), None values left out of the averages. A chart 600 units wide shows no more.
    """
    if at_most < 1:
        raise ValueError("at_most must be at least 1")
    if len(points) <= at_most:
        return list(points)
    thinned: list[Point] = []
    for index in range(at_most):
        bucket = points[index * len(points) // at_most : (index + 1) * len(points) // at_most]
        values = [v for _, v in bucket if v is not None]
        thinned.append((bucket[-1][0], sum(values) / len(values) if values else None))
    return thinned
