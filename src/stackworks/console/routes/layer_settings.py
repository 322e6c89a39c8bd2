"""A layer's settings page: recipes per event, OS packages, auto-healing, load-based thresholds,
and the weekly schedules of its time-based instances (a 7 x 24 grid, as OpsWorks had).

    GET  /stacks/{stack}/layers/{layer}/settings        show (read-only below manage)
    POST /stacks/{stack}/layers/{layer}/settings        manage: recipes, packages, auto-healing
    POST /stacks/{stack}/layers/{layer}/load-scaling    manage: load-based thresholds
    POST /stacks/{stack}/instances/{hostname}/schedule  manage: a time-based instance's week

Each form is read into the REST route's own body (console/layer_forms.py) and saved through the
same control function, in one transaction: a refused form saves nothing, and the page comes
back with the message and the user's input kept. A save answers 303 to the page.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from stackworks.api.deps import DatabaseDep, stack_named
from stackworks.console import layer_forms
from stackworks.console.access import ConsoleManageStack, ConsoleShowStack
from stackworks.console.forms import Form, FormFields, Refusal
from stackworks.console.levels import Can, stack_level
from stackworks.console.rendering import render
from stackworks.console.week_grid import grid_body
from stackworks.control import catalog, scaling_settings
from stackworks.domain.access import Principal
from stackworks.domain.entities import Layer
from stackworks.domain.errors import Conflict, InvalidInput
from stackworks.domain.layer_types import DEFAULT_RECIPES
from stackworks.domain.load_scaling import LoadScalingConfig
from stackworks.domain.status import LifecycleEvent, ScalingType
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import load_scaling as load_scaling_store
from stackworks.store import schedules as schedule_store
from stackworks.store.db import Database

router = APIRouter(include_in_schema=False)

#: what a save says on the page it returns to (`?saved=<key>`)
SAVED = {
    "settings": "Recipes, packages and auto-healing saved.",
    "load-scaling": "Load-based scaling saved.",
    "schedule": "Schedule saved.",
}
#: refusals shown on the form, with the status the page answers
REFUSED = {InvalidInput: 422, Conflict: 409}


def _settings_values(layer: Layer) -> dict[str, list[str]]:
    values = {
        f"recipes.{event.value}": [layer_forms.lines(layer.recipes.get(event, ()))]
        for event in LifecycleEvent
    }
    values["packages"] = [layer_forms.lines(layer.packages)]
    if layer.auto_healing:
        values["auto_healing"] = ["on"]
    return values


def _threshold_values(config: LoadScalingConfig) -> dict[str, list[str]]:
    values = {"enable": ["on"]} if config.enable else {}
    for direction, thresholds in (("up_scaling", config.up), ("down_scaling", config.down)):
        for name in layer_forms.THRESHOLD_FIELDS:
            values[f"{direction}.{name}"] = [f"{getattr(thresholds, name):g}"]
    return values


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    stack_name: str,
    layer_name: str,
    *,
    refusal: Refusal | None = None,
    status_code: int = 200,
) -> Response:
    stack = stack_named(session, stack_name)
    layer = layer_store.get(session, stack.id, layer_name)
    config, state = load_scaling_store.get(session, layer.id)
    members = [
        i for i in instance_store.list_for_stack(session, stack.id) if layer.shortname in i.layers
    ]
    timed = [i for i in members if i.scaling is ScalingType.TIME]
    schedules = {
        i.hostname: layer_forms.grid_rows(schedule_store.get(session, i.id)) for i in timed
    }
    settings = FormFields(_settings_values(layer))
    thresholds = FormFields(_threshold_values(config))
    if refusal is not None and refusal.form == "settings":
        settings = refusal.sent
    if refusal is not None and refusal.form == "load-scaling":
        thresholds = refusal.sent
    refused_week = refusal.form.partition("schedule:")[2] if refusal is not None else ""
    if refusal is not None and refused_week in schedules:
        checked = set(refusal.sent.all(layer_forms.HOUR_FIELD))
        schedules[refused_week] = [
            (day, [(hour, layer_forms.cell_value(day, hour) in checked) for hour, _ in hours])
            for day, hours in schedules[refused_week]
        ]
    saved = SAVED.get(request.query_params.get("saved", ""))
    return render(
        request,
        "layer_settings.html",
        {
            "stack": stack,
            "layer": layer,
            "can": Can(stack_level(session, principal, stack)),
            "current": f"/stacks/{stack.name}",
            "events": layer_forms.EVENTS,
            "built_in": DEFAULT_RECIPES.get(layer.type, {}),
            "settings": settings,
            "thresholds": thresholds,
            "threshold_fields": THRESHOLD_LABELS,
            "load_state": state,
            "load_based": [i.hostname for i in members if i.scaling is ScalingType.LOAD],
            "timed": timed,
            "schedules": schedules,
            "week_grid": grid_body,
            "refusal": refusal,
            "saved": saved,
        },
        status_code=status_code,
    )


#: each threshold field's label and unit, in the order the form shows them
THRESHOLD_LABELS = {
    "cpu_threshold": ("CPU", "% average"),
    "memory_threshold": ("Memory", "% average"),
    "load_threshold": ("Load", "1-minute average"),
    "thresholds_wait_time": ("Wait time", "minutes beyond the thresholds"),
    "ignore_metrics_time": ("Ignore metrics", "minutes after a step"),
    "instance_count": ("Instances", "per step"),
}


def _layer_url(stack: str, layer: str, saved: str) -> str:
    return f"/stacks/{stack}/layers/{layer}/settings?saved={saved}"


@router.get("/stacks/{stack}/layers/{layer}/settings")
def layer_settings_page(
    request: Request, stack: str, layer: str, db: DatabaseDep, user: ConsoleShowStack
) -> Response:
    with db.transaction() as session:
        return _page(request, session, user, stack, layer)


def _refused(
    request: Request,
    db: Database,
    user: Principal,
    stack: str,
    layer: str,
    error: InvalidInput | Conflict,
    refusal: Refusal,
) -> Response:
    refusal.input_name = error.field or ""
    named = refusal.input_name and not error.message.startswith(refusal.input_name)
    refusal.message = f"{refusal.input_name}: {error.message}" if named else error.message
    with db.transaction() as session:
        return _page(
            request, session, user, stack, layer, refusal=refusal, status_code=REFUSED[type(error)]
        )


def _save_layer(
    request: Request,
    db: Database,
    user: Principal,
    names: tuple[str, str],
    refusal: Refusal,
    save: Callable[[Session, Layer], object],
) -> Response:
    """`save` the layer `names` (stack, layer) in one transaction; the page, refused or saved."""
    stack, layer = names
    try:
        with db.transaction() as session:
            save(session, layer_store.get(session, stack_named(session, stack).id, layer))
    except (InvalidInput, Conflict) as error:
        return _refused(request, db, user, stack, layer, error, refusal)
    return RedirectResponse(_layer_url(stack, layer, refusal.form), status_code=303)


@router.post("/stacks/{stack}/layers/{layer}/settings")
def save_layer_settings(
    request: Request, stack: str, layer: str, form: Form, db: DatabaseDep, user: ConsoleManageStack
) -> Response:
    def save(session: Session, found: Layer) -> object:
        return catalog.update_layer(session, found, layer_forms.layer_update(form.values))

    return _save_layer(request, db, user, (stack, layer), Refusal("settings", sent=form), save)


@router.post("/stacks/{stack}/layers/{layer}/load-scaling")
def save_load_scaling(
    request: Request, stack: str, layer: str, form: Form, db: DatabaseDep, user: ConsoleManageStack
) -> Response:
    def save(session: Session, found: Layer) -> object:
        body = layer_forms.load_scaling_update(form.values)
        return scaling_settings.update_load_scaling(session, found, body)

    refusal = Refusal("load-scaling", sent=form)
    return _save_layer(request, db, user, (stack, layer), refusal, save)


@router.post("/stacks/{stack}/instances/{hostname}/schedule")
def save_schedule(
    request: Request,
    stack: str,
    hostname: str,
    form: Form,
    db: DatabaseDep,
    user: ConsoleManageStack,
) -> Response:
    """The form names the layer page it came from (`layer`); the schedule is the instance's."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
    back = form.get("layer")
    layer = back if back in instance.layers else instance.layers[0]
    try:
        with db.transaction() as session:
            body = layer_forms.schedule_in(form.values)
            scaling_settings.set_schedule(session, instance, body)
    except (InvalidInput, Conflict) as error:
        refusal = Refusal(f"schedule:{hostname}", sent=form)
        return _refused(request, db, user, stack, layer, error, refusal)
    return RedirectResponse(_layer_url(stack, layer, "schedule") + f"#schedule-{hostname}", 303)
