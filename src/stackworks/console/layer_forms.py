"""The console's layer settings forms read into the API's own request models.

A browser sends a form as fields of values (console/forms.py `FormFields.values`); these
functions turn them into `LayerUpdate`,
`LoadScalingUpdate` and `WeeklyScheduleIn`, the very bodies the REST routes take, so the console
saves through the same control functions (`catalog.update_layer`, `scaling_settings`) and their
validation. What a form alone can get wrong (a number that is not one, a grid cell that names
no hour) is refused here with InvalidInput naming the field, as the API would name it.

Field names (the templates use these):

- `recipes.<event>` for each lifecycle event: recipes, one a line (commas and spaces split too)
- `packages`: OS packages, split the same way
- `auto_healing`: a checkbox, present when on
- `enable`, `up_scaling.<threshold>`, `down_scaling.<threshold>`: load-based scaling; an empty
  number keeps its value, -1 disables a threshold
- `hour`: the checked cells of a weekly grid, each `<Day>.<hour>` (`Monday.9`)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

from stackworks.domain.errors import InvalidInput
from stackworks.domain.schedules import DAYS, HOURS, ON, WeeklySchedule
from stackworks.domain.status import LifecycleEvent
from stackworks.wire import schemas

#: a submitted form: each field's values in the order sent (`FormFields.values`)
FormValues = Mapping[str, Sequence[str]]

EVENTS = tuple(event.value for event in LifecycleEvent)
#: each threshold field and whether it is a whole number
THRESHOLD_FIELDS = {
    "instance_count": True,
    "thresholds_wait_time": False,
    "ignore_metrics_time": False,
    "cpu_threshold": False,
    "memory_threshold": False,
    "load_threshold": False,
}
DIRECTIONS = ("up_scaling", "down_scaling")
HOUR_FIELD = "hour"

_SEPARATORS = re.compile(r"[\s,]+")


def _value(form: FormValues, name: str) -> str:
    """The value sent for `name` (a browser sends each text field once), or ""."""
    found = form.get(name)
    return found[-1] if found else ""


def _checked(form: FormValues, name: str) -> bool:
    return bool(form.get(name))


def _submitted(form: FormValues) -> FormValues:
    """`form`, unless it has no field at all: then it was not one of these forms (a body that
    is not urlencoded reads as none), and reading it would empty every setting."""
    if not form:
        raise InvalidInput(
            "form: no form fields were sent (application/x-www-form-urlencoded)", field="form"
        )
    return form


def split_list(text: str) -> list[str]:
    """Names from a textarea: one a line, or split by commas or spaces; blanks dropped."""
    return [part for part in _SEPARATORS.split(text) if part]


def layer_update(form: FormValues) -> schemas.LayerUpdate:
    """The recipes, packages and auto-healing form as the PATCH body of the layer route: the
    whole run lists, so an event left empty has no custom recipes any more."""
    _submitted(form)
    recipes = {event: split_list(_value(form, f"recipes.{event}")) for event in EVENTS}
    recipes = {event: names for event, names in recipes.items() if names}  # none: cleared
    return schemas.LayerUpdate(
        recipes=recipes,
        packages=split_list(_value(form, "packages")),
        auto_healing=_checked(form, "auto_healing"),
    )


def _number(text: str, name: str, whole: bool) -> float | int:
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise InvalidInput(f"{name}: {text!r} is not {kind}", field=name) from None
    if not math.isfinite(value):
        raise InvalidInput(f"{name}: {text!r} is not a finite number", field=name)
    return value


def _thresholds(form: FormValues, direction: str) -> schemas.ThresholdsIn:
    values: dict[str, float | int] = {}
    for key, whole in THRESHOLD_FIELDS.items():
        name = f"{direction}.{key}"
        text = _value(form, name).strip()
        if text:
            values[key] = _number(text, name, whole)
    return schemas.ThresholdsIn.model_validate(values)


def load_scaling_update(form: FormValues) -> schemas.LoadScalingUpdate:
    """The load-based scaling form as the PATCH body of the load-scaling route."""
    _submitted(form)
    return schemas.LoadScalingUpdate(
        enable=_checked(form, "enable"),
        up_scaling=_thresholds(form, "up_scaling"),
        down_scaling=_thresholds(form, "down_scaling"),
    )


def cell_value(day: str, hour: int) -> str:
    """What a grid cell's checkbox sends: `Monday.9`."""
    return f"{day}.{hour}"


def schedule_in(form: FormValues) -> schemas.WeeklyScheduleIn:
    """The weekly grid's checked cells as the PUT body of the schedule route (the whole week:
    a cell not checked is off)."""
    _submitted(form)
    on: dict[str, dict[str, str]] = {}
    for value in form.get(HOUR_FIELD, ()):
        day, _, hour = value.partition(".")
        if day not in DAYS or not hour.isdigit() or int(hour) not in HOURS:
            raise InvalidInput(
                f"{HOUR_FIELD}: {value!r} is not a cell of the week (Monday.0 to Sunday.23)",
                field=HOUR_FIELD,
            )
        on.setdefault(day, {})[str(int(hour))] = ON
    return schemas.WeeklyScheduleIn.model_validate(on)


def grid_rows(schedule: WeeklySchedule) -> list[tuple[str, list[tuple[int, bool]]]]:
    """The grid a template draws: each day with each hour and whether it is on."""
    return [(day, [(hour, hour in schedule.hours(day)) for hour in HOURS]) for day in DAYS]


def lines(names: Iterable[str]) -> str:
    """Names as a textarea shows them, one a line."""
    return "\n".join(names)
