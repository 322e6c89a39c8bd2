"""The weekly grid's cells: a labelled checkbox per hour for editors, on/off text for readers,
and the one value that comes from users (the hostname) escaped."""

from __future__ import annotations

import re

from stackworks.console.layer_forms import grid_rows
from stackworks.console.week_grid import grid_body
from stackworks.domain.schedules import WeeklySchedule

ROWS = grid_rows(WeeklySchedule({"Tuesday": frozenset({0, 23})}))


def test_an_editable_grid_has_a_labelled_checkbox_for_each_of_the_168_hours() -> None:
    html = str(grid_body("web1", ROWS, editable=True))
    boxes = re.findall(
        r'<input type="checkbox" name="hour" value="(\w+)\.(\d+)" '
        r'aria-label="(\w+) (\d+):00 UTC"( checked)?',
        html,
    )
    assert len(boxes) == 7 * 24
    assert all(
        day == label_day and hour == label_hour for day, hour, label_day, label_hour, _ in boxes
    )
    assert sorted((d, h) for d, h, _, _, checked in boxes if checked) == [
        ("Tuesday", "0"),
        ("Tuesday", "23"),
    ]
    assert 'data-testid="schedule-web1-Tuesday-23"' in html
    assert html.count('<th scope="row">') == 7


def test_a_read_only_grid_says_on_and_off_and_has_no_control() -> None:
    html = str(grid_body("web1", ROWS, editable=False))
    assert "<input" not in html
    assert html.count('<span class="sr-only">Tuesday 23:00 on</span>') == 1
    assert html.count(" on</span>") == 2 and html.count(" off</span>") == 166


def test_the_hostname_is_escaped() -> None:
    html = str(grid_body('x"><script>', ROWS, editable=True))
    assert "<script>" not in html and "x&#34;&gt;&lt;script&gt;" in html
