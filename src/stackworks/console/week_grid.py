"""The cells of a weekly schedule grid (layer_settings.html) as HTML, written here rather than in
the template: a layer page holds a grid of 168 cells per time-based instance, and a template
loop over them was most of the page's render time (bench/console_ops_bench.py).

Every cell is labelled with its day and hour for screen readers; an editable cell is a checkbox
sending `<Day>.<hour>` (console/layer_forms.py), a read-only one says "on" or "off".
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from stackworks.console.layer_forms import HOUR_FIELD, cell_value

#: a grid as layer_forms.grid_rows draws it: each day with each hour and whether it is on
GridRows = Sequence[tuple[str, Sequence[tuple[int, bool]]]]


def _editable_cell(testid: str, day: str, hour: int, on: bool) -> str:
    checked = " checked" if on else ""
    return (
        f'<td><input type="checkbox" name="{HOUR_FIELD}" value="{cell_value(day, hour)}" '
        f'aria-label="{day} {hour}:00 UTC"{checked} data-testid="{testid}-{day}-{hour}"></td>'
    )


def _read_only_cell(testid: str, day: str, hour: int, on: bool) -> str:
    state, mark = ("on", "●") if on else ("off", "·")
    return (
        f'<td class="{state}" data-testid="{testid}-{day}-{hour}"><span aria-hidden="true">'
        f'{mark}</span><span class="sr-only">{day} {hour}:00 {state}</span></td>'
    )


def grid_body(hostname: str, rows: GridRows, *, editable: bool) -> Markup:
    """The `<tr>` rows of the grid of `hostname`'s week (the days and hours are the schedule's
    own names and numbers; only the hostname comes from users, and it is escaped)."""
    testid = f"schedule-{escape(hostname)}"
    cell = _editable_cell if editable else _read_only_cell
    lines = [
        f'<tr><th scope="row">{escape(day)}</th>'
        + "".join(cell(testid, str(escape(day)), hour, on) for hour, on in hours)
        + "</tr>"
        for day, hours in rows
    ]
    return Markup("\n".join(lines))
