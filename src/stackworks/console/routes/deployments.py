"""Deploy: the form (command, app, instances or layers, comment, custom JSON), a deployment's
page following each instance live, one-click rollback, and the deployment history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from stackworks.api.deps import DatabaseDep, SignalDep, stack_named
from stackworks.console import live
from stackworks.console.access import ConsoleDeployStack, ConsoleShowStack
from stackworks.console.deployment_live import DeploymentFeed, page_version
from stackworks.console.forms import Form, FormFields, parse_custom_json
from stackworks.console.levels import Can, stack_level
from stackworks.console.rendering import render
from stackworks.console.validation import first_problem
from stackworks.control import deployments as deployment_control
from stackworks.domain.access import Principal
from stackworks.domain.entities import Deployment, Stack
from stackworks.domain.errors import InvalidInput
from stackworks.domain.status import DEPLOYMENT_COMMANDS, CommandName
from stackworks.store import apps as app_store
from stackworks.store import commands as command_store
from stackworks.store import deployments as deployment_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store.db import Database
from stackworks.wire import schemas

router = APIRouter(prefix="/stacks/{stack}", include_in_schema=False)

#: deployments the history page lists at most, newest first
HISTORY_LIMIT = 200
#: the deploy form's command menu, in OpsWorks' order (shutdown is the lifecycle's alone)
COMMANDS = [name for name in CommandName if name in DEPLOYMENT_COMMANDS]


def _names(session: Session, stack: Stack) -> tuple[dict[str, str], dict[str, str]]:
    hostnames = instance_store.hostnames_by_id(session, stack.id)
    apps = {a.id: a.shortname for a in app_store.list_for_stack(session, stack.id)}
    return hostnames, apps


def _stack_context(session: Session, user: Principal, stack: Stack, current: str) -> dict[str, Any]:
    return {
        "stack": stack.name,
        "can": Can(stack_level(session, user, stack)),
        "current": f"/stacks/{stack.name}{current}",
    }


def _form_page(
    request: Request,
    db: Database,
    user: Principal,
    stack: str,
    form: FormFields,
    error: InvalidInput | None = None,
) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        context = _stack_context(session, user, found, "/deploy")
        context.update(
            commands=COMMANDS,
            apps=app_store.list_for_stack(session, found.id),
            layers=layer_store.list_for_stack(session, found.id),
            instances=instance_store.list_for_stack(session, found.id),
            form=form,
            error=error.message if error else "",
            error_field=error.field if error else None,
        )
    return render(request, "deploy.html", context, status_code=422 if error else 200)


@router.get("/deploy")
def deploy_form(
    stack: str, request: Request, db: DatabaseDep, user: ConsoleDeployStack, app: str = ""
) -> Response:
    return _form_page(request, db, user, stack, FormFields({"app": [app]} if app else {}))


def _deployment_request(form: FormFields) -> schemas.DeploymentCreate:
    """The form as the REST API's request body (the same checks follow)."""
    name = form.get("command", CommandName.DEPLOY.value)
    args: dict[str, Any] = {}
    recipes = [r.strip() for r in form.get("recipes").replace(",", " ").split() if r.strip()]
    if recipes:
        args["recipes"] = recipes
    try:
        return schemas.DeploymentCreate(
            command=schemas.DeploymentCommandIn(name=name, args=args),
            app=form.get("app") or None,
            instances=form.all("instances"),
            layers=form.all("layers"),
            custom_json=parse_custom_json(form.get("custom_json")),
            comment=form.get("comment").strip(),
        )
    except ValidationError as invalid:
        raise first_problem(invalid) from None


@router.post("/deployments")
def create_deployment(
    stack: str,
    request: Request,
    form: Form,
    db: DatabaseDep,
    signal: SignalDep,
    user: ConsoleDeployStack,
) -> Response:
    try:
        body = _deployment_request(form)
        with db.transaction() as session:
            found = stack_named(session, stack)
            deployment = deployment_control.create_deployment(
                session, found, body, created_by=user.name
            )
    except InvalidInput as invalid:
        return _form_page(request, db, user, stack, form, invalid)
    signal.bump()
    return RedirectResponse(f"/stacks/{stack}/deployments/{deployment.id}", status_code=303)


@router.get("/deployments")
def deployment_history(
    stack: str, request: Request, db: DatabaseDep, user: ConsoleShowStack
) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        context = _stack_context(session, user, found, "/deployments")
        hostnames, app_names = _names(session, found)
        context.update(
            deployments=deployment_store.list_for_stack(session, found.id, limit=HISTORY_LIMIT),
            limit=HISTORY_LIMIT,
            hostnames=hostnames,
            app_names=app_names,
        )
    return render(request, "deployments.html", context)


@router.get("/deployments/{deployment_id}")
def deployment_page(
    stack: str, deployment_id: str, request: Request, db: DatabaseDep, user: ConsoleShowStack
) -> Response:
    with db.transaction() as session:
        found = stack_named(session, stack)
        context = _stack_context(session, user, found, "/deployments")
        deployment = deployment_store.get(session, found.id, deployment_id)
        commands = command_store.list_for_stack(
            session, found.id, deployment_id=deployment.id, with_log=True
        )
        hostnames, app_names = _names(session, found)
        context.update(
            deployment=deployment,
            commands=commands,
            hostnames=hostnames,
            app_name=app_names.get(deployment.app_id or "", ""),
            live_version=page_version(deployment, commands),
            can_roll_back=_can_roll_back(deployment),
        )
    return render(request, "deployment.html", context)


@router.get("/deployments/{deployment_id}/live")
def deployment_live(
    stack: str,
    deployment_id: str,
    request: Request,
    db: DatabaseDep,
    _user: ConsoleShowStack,
    v: str = "",
) -> Response:
    """Server-sent events: each command's status and new log text (console/live.py)."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        deployment_store.get(session, found.id, deployment_id)  # 404 for another stack's
        hostnames, _ = _names(session, found)
    return live.stream(request, DeploymentFeed(request, db, found.id, deployment_id, hostnames, v))


def _can_roll_back(deployment: Deployment) -> bool:
    return deployment.command is CommandName.DEPLOY and deployment.app_id is not None


@router.post("/deployments/{deployment_id}/rollback")
def roll_back(
    stack: str,
    deployment_id: str,
    db: DatabaseDep,
    signal: SignalDep,
    user: ConsoleDeployStack,
) -> Response:
    """A rollback of the deployment's app on the instances it deployed to (OpsWorks' rollback:
    each goes back to the release before its current one)."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        deployment = deployment_store.get(session, found.id, deployment_id)
        if not _can_roll_back(deployment):
            raise InvalidInput(
                "deployment: only an app's deploy can be rolled back", field="deployment"
            )
        hostnames, app_names = _names(session, found)
        targets = [hostnames[i] for i in deployment.instance_ids if i in hostnames]
        if not targets:
            raise InvalidInput(
                "deployment: none of its instances exists any more", field="deployment"
            )
        body = schemas.DeploymentCreate(
            command=schemas.DeploymentCommandIn(name=CommandName.ROLLBACK),
            app=app_names.get(deployment.app_id or ""),
            instances=targets,
            comment=f"rollback of deployment {deployment.id[:8]}",
        )
        rollback = deployment_control.create_deployment(session, found, body, created_by=user.name)
    signal.bump()
    return RedirectResponse(f"/stacks/{stack}/deployments/{rollback.id}", status_code=303)
