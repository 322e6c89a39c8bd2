"""Apps: CreateApp, DescribeApps, UpdateApp, DeleteApp, through the REST API's catalog.

Levels as on the REST API: manage creates and deletes, deploy updates, show reads. The app's
Type and Description mean nothing to Stackworks (its apps are Python) and are kept as given in
its OpsWorks attributes; secure environment values never come back.
"""

from __future__ import annotations

from typing import Any

from stackworks.control import catalog
from stackworks.domain.access import Level
from stackworks.domain.entities import App
from stackworks.opsworks.context import Context
from stackworks.opsworks.errors import ValidationException
from stackworks.opsworks.operations._lookups import database_in
from stackworks.opsworks.registry import operation
from stackworks.opsworks.translate import apps as translate
from stackworks.opsworks.translate.resources import database_arn
from stackworks.store import apps as app_store
from stackworks.store import databases as database_store
from stackworks.store import opsworks_attributes

KEPT = ("Type", "Description")


def app_shape(ctx: Context, app: App) -> dict[str, Any]:
    kept = opsworks_attributes.get(ctx.session, app.id)
    databases = {db.name: db for db in database_store.list_for_stack(ctx.session, app.stack_id)}
    return translate.app_shape(
        app,
        app_type=str(kept.get("Type") or translate.DEFAULT_APP_TYPE),
        description=kept.get("Description"),
        databases=databases,
        database_arn=database_arn,
    )


def _keep(ctx: Context, app: App, params: dict[str, Any]) -> None:
    before = opsworks_attributes.get(ctx.session, app.id)
    given = {name: params[name] for name in KEPT if name in params}
    if given or not before:
        opsworks_attributes.put(ctx.session, "app", app.stack_id, app.id, {**before, **given})


@operation("CreateApp")
def create_app(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"], Level.MANAGE)
    body = translate.app_create(params, database_in(ctx, stack, "DataSources.Arn"))
    app = catalog.create_app(ctx.session, stack, body)
    _keep(ctx, app, params)
    return {"AppId": app.id}


@operation("DescribeApps")
def describe_apps(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("AppIds"):
        found = [ctx.app(app_id)[1] for app_id in params["AppIds"]]
        if params.get("StackId") and any(a.stack_id != params["StackId"] for a in found):
            raise ValidationException("AppIds: give apps of the StackId, or leave StackId out")
    elif params.get("StackId"):
        stack = ctx.stack(params["StackId"])
        found = app_store.list_for_stack(ctx.session, stack.id)
    else:
        raise ValidationException("DescribeApps: give a StackId or AppIds")
    return {"Apps": [app_shape(ctx, app) for app in found]}


@operation("UpdateApp")
def update_app(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack, app = ctx.app(params["AppId"], Level.DEPLOY)
    body = translate.app_update(params, database_in(ctx, stack, "DataSources.Arn"))
    updated = catalog.update_app(ctx.session, stack, app, body)
    _keep(ctx, updated, params)
    return {}


@operation("DeleteApp")
def delete_app(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _stack, app = ctx.app(params["AppId"], Level.MANAGE)
    app_store.delete(ctx.session, app.id)
    return {}
