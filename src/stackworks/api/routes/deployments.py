"""/stacks/{stack}/deployments and /stacks/{stack}/commands (OpsWorks' DescribeCommands)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from stackworks.api.access import DeployStack, ShowStack
from stackworks.api.deps import DatabaseDep, SignalDep, stack_named
from stackworks.control import deployments as deployment_control
from stackworks.domain.entities import Deployment, Stack
from stackworks.domain.errors import NotFound
from stackworks.domain.status import CommandName
from stackworks.store import apps as app_store
from stackworks.store import commands as command_store
from stackworks.store import deployments as deployment_store
from stackworks.store import instances as instance_store
from stackworks.wire import presenters, schemas

router = APIRouter(prefix="/stacks/{stack}", tags=["deployments"])


def _names(session: Session, stack: Stack) -> tuple[dict[str, str], dict[str, str]]:
    hostnames = instance_store.hostnames_by_id(session, stack.id)
    apps = {a.id: a.shortname for a in app_store.list_for_stack(session, stack.id)}
    return hostnames, apps


def _deployment_out(
    session: Session, stack: Stack, deployment: Deployment, *, logs: bool
) -> schemas.DeploymentOut:
    hostnames, apps = _names(session, stack)
    commands = [
        presenters.command_out(c, hostnames, logs=logs)
        for c in command_store.list_for_stack(
            session, stack.id, deployment_id=deployment.id, with_log=logs
        )
    ]
    return presenters.deployment_out(stack, deployment, hostnames, apps, commands)


@router.post("/deployments", status_code=201)
def create_deployment(
    stack: str,
    body: schemas.DeploymentCreate,
    db: DatabaseDep,
    signal: SignalDep,
    user: DeployStack,
) -> schemas.DeploymentOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        deployment = deployment_control.create_deployment(
            session, found, body, created_by=user.name
        )
        out = _deployment_out(session, found, deployment, logs=False)
    signal.bump()
    return out


@router.get("/deployments")
def list_deployments(stack: str, db: DatabaseDep, _user: ShowStack) -> list[schemas.DeploymentOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        hostnames, apps = _names(session, found)
        return [
            presenters.deployment_out(found, d, hostnames, apps)
            for d in deployment_store.list_for_stack(session, found.id)
        ]


@router.get("/deployments/{deployment_id}")
def show_deployment(
    stack: str, deployment_id: str, db: DatabaseDep, _user: ShowStack, logs: bool = False
) -> schemas.DeploymentOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        deployment = deployment_store.get(session, found.id, deployment_id)
        return _deployment_out(session, found, deployment, logs=logs)


@router.get("/commands")
def list_commands(
    stack: str,
    db: DatabaseDep,
    _user: ShowStack,
    instance: str | None = None,
    type: CommandName | None = None,
    logs: bool = False,
    configuration: bool = False,
) -> list[schemas.CommandOut]:
    with db.transaction() as session:
        found = stack_named(session, stack)
        hostnames, _ = _names(session, found)
        instance_id = None
        if instance is not None:
            instance_id = instance_store.get_by_hostname(session, found.id, instance).id
        return [
            presenters.command_out(c, hostnames, logs=logs, configuration=configuration)
            for c in command_store.list_for_stack(
                session,
                found.id,
                instance_id=instance_id,
                type_=type,
                with_log=logs,
                with_configuration=configuration,
            )
        ]


@router.get("/commands/{command_id}")
def show_command(
    stack: str,
    command_id: str,
    db: DatabaseDep,
    _user: ShowStack,
    logs: bool = True,
    configuration: bool = False,
) -> schemas.CommandOut:
    with db.transaction() as session:
        found = stack_named(session, stack)
        row = command_store.row(session, command_id)
        if row.stack_id != found.id:
            raise NotFound("command", command_id)
        hostnames, _ = _names(session, found)
        return presenters.command_out(
            command_store.entity(session, row), hostnames, logs=logs, configuration=configuration
        )
