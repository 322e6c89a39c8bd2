"""Deployments: a command sent to chosen instances, and its overall status.

Targets, by default: deploy goes to every online instance (those that do not run the app run a
generic deploy that refreshes their configuration); rollback, undeploy and the app commands go
to the online instances of the app's layers; every other command to every online instance.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from stackworks.api import schemas
from stackworks.control import commands
from stackworks.control.run_lists import execute_recipes_arg
from stackworks.domain.entities import App, Deployment, Instance, Stack
from stackworks.domain.errors import Conflict, InvalidInput, NotFound
from stackworks.domain.stack_config import StackSnapshot, app_layers
from stackworks.domain.status import CommandName, CommandStatus, DeploymentStatus, InstanceStatus
from stackworks.store import apps as app_store
from stackworks.store import commands as command_store
from stackworks.store import deployments as deployment_store
from stackworks.store.ids import new_id
from stackworks.store.tables import utcnow

#: commands that may target an instance whose setup failed, to repair it
_REPAIR_COMMANDS = frozenset(
    {CommandName.SETUP, CommandName.EXECUTE_RECIPES, CommandName.UPDATE_CUSTOM_COOKBOOKS}
)


def create_deployment(
    session: Session, stack: Stack, body: schemas.DeploymentCreate, created_by: str
) -> Deployment:
    name = body.command.name
    if name is CommandName.SHUTDOWN:
        raise InvalidInput(
            "command.name: shutdown is sent by the lifecycle; stop the instance instead",
            field="command.name",
        )
    if name is CommandName.EXECUTE_RECIPES:
        execute_recipes_arg(body.command.args)
    if body.instances and body.layers:
        raise InvalidInput("give instances or layers, not both", field="instances")
    app = _app(session, stack, body.app, name)
    snapshot = commands.load_snapshot(session, stack.id)
    targets = _targets(snapshot, name, app, body.instances, body.layers)
    deployment = deployment_store.add(
        session,
        Deployment(
            id=new_id(),
            stack_id=stack.id,
            command=name,
            app_id=app.id if app else None,
            args=body.command.args,
            custom_json=body.custom_json,
            comment=body.comment,
            created_by=created_by,
            instance_ids=tuple(i.id for i in targets),
        ),
    )
    for instance in targets:
        deploy_ids = _deploy_app_ids(snapshot, name, app, instance)
        commands.queue(
            session,
            snapshot,
            instance,
            name,
            deployment=deployment,
            args=body.command.args,
            deploy_app_ids=deploy_ids,
            reason=f"deployment {deployment.id[:8]}",
        )
    return deployment


def _app(session: Session, stack: Stack, shortname: str | None, name: CommandName) -> App | None:
    if shortname is None:
        if name.needs_app:
            raise InvalidInput(f"app: the {name.value} command needs an app", field="app")
        return None
    try:
        return app_store.get(session, stack.id, shortname)
    except NotFound as missing:
        raise InvalidInput(f"app: the stack has no app {shortname!r}", field="app") from missing


def _targets(
    snapshot: StackSnapshot,
    name: CommandName,
    app: App | None,
    hostnames: Sequence[str],
    layer_names: Sequence[str],
) -> list[Instance]:
    allowed = {InstanceStatus.ONLINE}
    if name in _REPAIR_COMMANDS:
        allowed.add(InstanceStatus.SETUP_FAILED)
    by_host = {i.hostname: i for i in snapshot.instances}
    if hostnames:
        chosen = []
        for hostname in hostnames:
            instance = by_host.get(hostname)
            if instance is None:
                raise InvalidInput(
                    f"instances: the stack has no instance {hostname!r}", field="instances"
                )
            if instance.status not in allowed:
                raise Conflict(
                    f"instances: {hostname!r} is {instance.status.value}, not online",
                    field="instances",
                )
            chosen.append(instance)
        return chosen
    known_layers = {layer.shortname for layer in snapshot.layers}
    for layer in layer_names:
        if layer not in known_layers:
            raise InvalidInput(f"layers: the stack has no layer {layer!r}", field="layers")
    wanted_layers = set(layer_names)
    if not wanted_layers and app is not None and name is not CommandName.DEPLOY:
        wanted_layers = set(app_layers(app, snapshot.layers))
    chosen = [
        i
        for i in snapshot.instances
        if i.status in allowed and (not wanted_layers or wanted_layers & set(i.layers))
    ]
    if not chosen:
        raise Conflict("there is no online instance to run the command on", field="instances")
    return sorted(chosen, key=lambda i: i.hostname)


def _deploy_app_ids(
    snapshot: StackSnapshot, name: CommandName, app: App | None, instance: Instance
) -> list[str]:
    if app is None:
        return []
    if not set(app_layers(app, snapshot.layers)) & set(instance.layers):
        return []  # a generic deploy: the instance refreshes its configuration only
    return [app.id] if name.needs_app or name is CommandName.DEPLOY else []


def settle(session: Session, deployment_id: str | None) -> None:
    """Finish a deployment once none of its commands is pending: failed if any failed."""
    if deployment_id is None:
        return
    rows = command_store.for_deployment(session, deployment_id)
    statuses = [CommandStatus(r.status) for r in rows]
    if any(s is CommandStatus.PENDING for s in statuses):
        return
    failed = any(s is CommandStatus.FAILED for s in statuses)
    status = DeploymentStatus.FAILED if failed else DeploymentStatus.SUCCESSFUL
    deployment_store.finish(session, deployment_id, status, utcnow())
