"""Deployments: a command sent to chosen instances, and its overall status.

Targets, by default: deploy goes to every online instance (those that do not run the app run a
generic deploy that refreshes their configuration); rollback, undeploy and the app commands go
to the online instances of the app's layers; every other command to every online instance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import cast

from sqlalchemy.orm import Session

from stackworks.control import catalog, commands
from stackworks.control.run_lists import execute_recipes_arg
from stackworks.domain import secret_attributes
from stackworks.domain.entities import App, Deployment, Instance, Stack
from stackworks.domain.errors import Conflict, InvalidInput, NotFound
from stackworks.domain.rolling import (
    DRAIN_RECIPE,
    ENABLE_RECIPE,
    Step,
    after_failure,
    plan_rolling,
    step_args,
)
from stackworks.domain.stack_config import StackSnapshot, app_layers
from stackworks.domain.status import (
    CommandName,
    CommandStatus,
    DeploymentStatus,
    InstanceStatus,
    LayerType,
)
from stackworks.store import apps as app_store
from stackworks.store import commands as command_store
from stackworks.store import deployments as deployment_store
from stackworks.store import stacks as stack_store
from stackworks.store.ids import new_id
from stackworks.store.tables import CommandRow, utcnow
from stackworks.wire import schemas

#: commands that can roll across instances one at a time
ROLLING_COMMANDS = frozenset({CommandName.DEPLOY, CommandName.ROLLBACK, CommandName.RESTART})

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
    secret_attributes.check(body.custom_json, "custom_json")
    if secret_attributes.has_secrets(body.custom_json):
        raise InvalidInput(
            "custom_json: a deployment's custom JSON is kept in clear; put secrets in the "
            "stack's or a layer's custom JSON",
            field="custom_json",
        )
    app = _app(session, stack, body.app, name)
    if name is CommandName.UPDATE_CUSTOM_COOKBOOKS:
        refreshed = catalog.pin_sources(stack.cookbook_sources, refresh=True)
        stack = stack_store.update(session, replace(stack, cookbook_sources=refreshed))
    snapshot = commands.load_snapshot(session, stack.id)
    targets = _targets(snapshot, name, app, body.instances, body.layers)
    rolling = body.rolling if body.rolling is not None else rolling_default(stack)
    if rolling and name not in ROLLING_COMMANDS:
        raise InvalidInput(
            f"rolling: only {', '.join(sorted(c.value for c in ROLLING_COMMANDS))} can roll",
            field="rolling",
        )
    plan: list[Step] = []
    if rolling:
        runs_app = {i.hostname for i in targets if _deploy_app_ids(snapshot, name, app, i)}
        plan = plan_rolling(
            app_hosts=sorted(runs_app),
            other_hosts=sorted(i.hostname for i in targets if i.hostname not in runs_app),
            balancers=_balancers(snapshot),
        )
    deployment = deployment_store.add(
        session,
        Deployment(
            id=new_id(),
            stack_id=stack.id,
            command=name,
            app_id=app.id if app else None,
            revision=app.source.revision if app else None,
            args=body.command.args,
            custom_json=body.custom_json,
            comment=body.comment,
            created_by=created_by,
            instance_ids=tuple(i.id for i in targets),
            plan=tuple(dict(step) for step in plan),
        ),
    )
    if plan:
        _queue_step(session, deployment, app, 0)
        return deployment
    if name is CommandName.CONFIGURE:
        commands.supersede_configures(session, [i.id for i in targets])
    for instance in targets:
        commands.queue(
            session,
            snapshot,
            instance,
            name,
            deployment=deployment,
            args=body.command.args,
            deploy_app_ids=_deploy_app_ids(snapshot, name, app, instance),
            reason=f"deployment {deployment.id[:8]}",
            batched=True,
        )
    session.flush()
    return deployment


def rolling_default(stack: Stack) -> bool:
    """A stack rolls its deploys by default when its custom JSON says `stackworks.rolling`."""
    settings = stack.custom_json.get("stackworks")
    return bool(isinstance(settings, dict) and settings.get("rolling"))


#: layer types whose instances run HAProxy with its runtime API (haproxy::drain / enable)
BALANCER_TYPES = frozenset({LayerType.LB, LayerType.PLONE_FRONTEND})


def _balancers(snapshot: StackSnapshot) -> list[str]:
    """The online instances running HAProxy (lb and plone-frontend layers): a rolling step
    drains an app instance on each of them first."""
    lb_layers = {layer.shortname for layer in snapshot.layers if layer.type in BALANCER_TYPES}
    return sorted(i.hostname for i in snapshot.online_instances() if lb_layers & set(i.layers))


def _queue_step(session: Session, deployment: Deployment, app: App | None, index: int) -> int:
    """Queue the commands of one step on those of its instances still online; returns how many."""
    step = cast(Step, deployment.plan[index])
    snapshot = commands.load_snapshot(session, deployment.stack_id)
    online = {i.hostname: i for i in snapshot.online_instances()}
    queued = 0
    for hostname in step["hosts"]:
        instance = online.get(hostname)
        if instance is None:
            continue
        if step["kind"] == "deploy":
            commands.queue(
                session,
                snapshot,
                instance,
                deployment.command,
                deployment=deployment,
                args=deployment.args,
                deploy_app_ids=_deploy_app_ids(snapshot, deployment.command, app, instance),
                reason=f"deployment {deployment.id[:8]}: step {index + 1}/{len(deployment.plan)}",
                step=index,
            )
        else:
            recipe = DRAIN_RECIPE if step["kind"] == "drain" else ENABLE_RECIPE
            commands.queue(
                session,
                snapshot,
                instance,
                CommandName.EXECUTE_RECIPES,
                deployment=deployment,
                args=step_args(step),
                run_list=[recipe],
                reason=f"deployment {deployment.id[:8]}: {step['kind']} {step['target']}",
                step=index,
            )
        queued += 1
    return queued


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


#: a result that sees more of its step pending than this does not settle: it cannot be the last
#: unless more than this many results commit at once (more than a replica's connection pool)
SETTLE_WHEN_PENDING_AT_MOST = 64


def settle_after(session: Session, finished: CommandRow) -> None:
    """Settle the deployment of a command that just finished, if that may move it on.

    Before, every result locked the deployment's row to settle it, so the results of a
    1,000-instance configure queued on one row, and while they waited they held the API's
    threads that the others' acks needed (bench/agents_bench.py). Now a result that sees many of
    its step still pending goes without the lock; the last ones lock and settle as before, each
    seeing the others' results once they committed (two last results, each seeing the other
    still pending, take turns on the row). Should more results than the threshold commit at
    once, `settle_overlooked`, in the orchestrator's scan, settles what they left."""
    if finished.deployment_id is None:
        return
    pending = command_store.pending_in(
        session,
        finished.deployment_id,
        finished.deployment_step,
        at_most=SETTLE_WHEN_PENDING_AT_MOST + 1,
    )
    if pending <= SETTLE_WHEN_PENDING_AT_MOST:
        settle(session, finished.deployment_id)


def settle_overlooked(session: Session) -> bool:
    """Settle every running deployment whose current step has nothing pending (what
    `settle_after` can leave); whether any moved on."""
    overlooked = deployment_store.running_with_nothing_pending(session)
    for deployment_id in overlooked:
        settle(session, deployment_id)
    return bool(overlooked)


def settle(session: Session, deployment_id: str | None) -> None:
    """Move a deployment on once none of its current commands is pending.

    A plain deployment ends: failed if any command failed. A rolling one starts its next step,
    or, after a failure, puts the failed instance back and ends failed. The deployment's row is
    locked first: two of its commands finishing at once (two API threads, two replicas) settle
    one after the other, the second seeing the first's result, so a step is neither missed nor
    queued twice.
    """
    if deployment_id is None:
        return
    deployment = deployment_store.get_any(session, deployment_id, lock=True)
    if deployment is None or deployment.status is not DeploymentStatus.RUNNING:
        return
    if deployment.rolling:
        now = command_store.statuses_in_deployment(session, deployment_id, deployment.step)
        if now[CommandStatus.PENDING]:
            return
        plan = [cast(Step, dict(s)) for s in deployment.plan]
        if now[CommandStatus.FAILED]:
            plan = after_failure(plan, deployment.step)
        app = app_store.get_by_id(session, deployment.app_id) if deployment.app_id else None
        step = deployment.step + 1
        while step < len(plan):
            deployment_store.set_plan(session, deployment.id, list(plan), step)
            deployment = replace(deployment, plan=tuple(dict(s) for s in plan), step=step)
            if _queue_step(session, deployment, app, step):
                return
            step += 1  # nobody of that step is online any more
        deployment_store.set_plan(session, deployment.id, list(plan), len(plan))
    counted = command_store.statuses_in_deployment(session, deployment_id)
    if not deployment.rolling and counted[CommandStatus.PENDING]:
        return
    failed = counted[CommandStatus.FAILED] > 0
    status = DeploymentStatus.FAILED if failed else DeploymentStatus.SUCCESSFUL
    deployment_store.finish(session, deployment_id, status, utcnow())
