"""The layer settings forms become the API's request bodies, and a form's own mistakes are
refused naming the field."""

from __future__ import annotations

import pytest

from stackworks.console.layer_forms import (
    cell_value,
    grid_rows,
    layer_update,
    load_scaling_update,
    schedule_in,
    split_list,
)
from stackworks.domain.errors import InvalidInput
from stackworks.domain.schedules import DAYS, WeeklySchedule, parse_schedule


def test_split_list_takes_lines_commas_and_spaces_and_drops_blanks() -> None:
    assert split_list("a::b\r\n\r\n c::d, e  f\n") == ["a::b", "c::d", "e", "f"]
    assert split_list("  \n") == []


def test_layer_form_sends_the_events_with_recipes_and_auto_healing_off_when_unchecked() -> None:
    body = layer_update({"recipes.setup": ["mine::setup\nmine::extra"], "packages": ["git\ncurl"]})
    assert body.recipes == {"setup": ["mine::setup", "mine::extra"]}
    assert body.packages == ["git", "curl"]
    assert body.auto_healing is False


def test_layer_form_with_the_checkbox_keeps_auto_healing_on() -> None:
    assert layer_update({"auto_healing": ["on"], "packages": [""]}).auto_healing is True


def test_load_scaling_form_reads_numbers_and_leaves_empty_ones_to_keep_their_value() -> None:
    body = load_scaling_update(
        {
            "enable": ["on"],
            "up_scaling.cpu_threshold": ["80"],
            "up_scaling.instance_count": ["2"],
            "up_scaling.memory_threshold": [""],
            "down_scaling.cpu_threshold": ["-1"],
            "down_scaling.thresholds_wait_time": ["0.5"],
        }
    )
    assert body.enable is True
    assert body.up_scaling is not None and body.down_scaling is not None
    assert body.up_scaling.cpu_threshold == 80.0
    assert body.up_scaling.instance_count == 2
    assert body.up_scaling.memory_threshold is None
    assert body.down_scaling.cpu_threshold == -1.0
    assert body.down_scaling.thresholds_wait_time == 0.5


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("up_scaling.cpu_threshold", "eighty"),
        ("down_scaling.instance_count", "1.5"),
        ("up_scaling.load_threshold", "nan"),
    ],
)
def test_load_scaling_form_refuses_a_bad_number_naming_its_field(name: str, text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        load_scaling_update({name: [text]})
    assert raised.value.field == name
    assert repr(text) in raised.value.message


def test_load_scaling_form_without_the_checkbox_disables_it() -> None:
    assert load_scaling_update({"csrf_token": ["t"]}).enable is False


def test_checked_grid_cells_become_the_whole_week_the_schedule_route_takes() -> None:
    body = schedule_in({"hour": ["Monday.9", "Monday.10", "Sunday.0"]})
    parsed = parse_schedule(body.model_dump(exclude_none=True))
    assert parsed.hours("Monday") == {9, 10}
    assert parsed.hours("Sunday") == {0}
    assert parsed.hours("Tuesday") == frozenset()


@pytest.mark.parametrize("value", ["Funday.9", "Monday.24", "Monday.x", "Monday"])
def test_a_cell_that_names_no_hour_of_the_week_is_refused(value: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        schedule_in({"hour": [value]})
    assert raised.value.field == "hour"


def test_grid_rows_draw_seven_days_of_24_hours_with_the_schedule_checked() -> None:
    rows = grid_rows(WeeklySchedule({"Friday": frozenset({17})}))
    assert [day for day, _ in rows] == list(DAYS)
    assert all(len(hours) == 24 for _, hours in rows)
    on = [(day, hour) for day, hours in rows for hour, checked in hours if checked]
    assert on == [("Friday", 17)]
    assert cell_value("Friday", 17) == "Friday.17"


def test_a_request_with_no_form_fields_is_refused_rather_than_emptying_every_setting() -> None:
    for read in (layer_update, load_scaling_update, schedule_in):
        with pytest.raises(InvalidInput) as raised:
            read({})
        assert raised.value.field == "form"
