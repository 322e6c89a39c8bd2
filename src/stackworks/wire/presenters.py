"""Entities as API answers. Secure values leave only as FILTERED."""

from __future__ import annotations

from stackworks.domain.entities import (
    FILTERED,
    App,
    Command,
    Deployment,
    Instance,
    Layer,
    Stack,
    StackEvent,
)
from stackworks.domain.layer_types import DEFAULT_RECIPES
from stackworks.domain.stack_config import app_layers, mask_configuration
from stackworks.wire import schemas


def stack_out(
    stack: Stack, counts: dict[str, int] | None = None, heartbeat: tuple[float, float] = (0.0, 0.0)
) -> schemas.StackOut:
    """`heartbeat` is the (interval, timeout) in force for the stack."""
    counts = counts or {}
    return schemas.StackOut(
        id=stack.id,
        name=stack.name,
        custom_json=stack.custom_json,
        hostname_theme=stack.hostname_theme,
        cookbook_sources=[
            schemas.CookbookSourceOut(
                type=s.type, url=s.url, ref=s.ref, pinned_commit=s.pinned_commit
            )
            for s in stack.cookbook_sources
        ],
        created_at=stack.created_at,
        layers_count=counts.get("layers", 0),
        apps_count=counts.get("apps", 0),
        instances_count={
            k[len("status:") :]: v for k, v in counts.items() if k.startswith("status:")
        },
        heartbeat_interval=heartbeat[0],
        heartbeat_timeout=heartbeat[1],
    )


def layer_out(stack: Stack, layer: Layer) -> schemas.LayerOut:
    defaults = {key: list(names) for key, names in DEFAULT_RECIPES[layer.type].items()}
    return schemas.LayerOut(
        id=layer.id,
        stack=stack.name,
        shortname=layer.shortname,
        name=layer.name,
        type=layer.type,
        recipes={event.value: list(names) for event, names in layer.recipes.items()},
        default_recipes=defaults,
        packages=list(layer.packages),
        auto_healing=layer.auto_healing,
        custom_json=layer.custom_json,
        shutdown_timeout=layer.shutdown_timeout,
        created_at=layer.created_at,
    )


def app_source(app: App) -> schemas.AppSourceIn:
    return schemas.AppSourceIn(
        type=app.source.type, url=app.source.url, revision=app.source.revision
    )


def masked_environment(app: App) -> list[schemas.EnvironmentVariableIn]:
    """The app's environment for people: secure values read FILTERED."""
    return [
        schemas.EnvironmentVariableIn(
            key=var.key, value=FILTERED if var.secure else var.value, secure=var.secure
        )
        for var in app.environment
    ]


def app_out(stack: Stack, app: App, layers: list[Layer]) -> schemas.AppOut:
    return schemas.AppOut(
        id=app.id,
        stack=stack.name,
        shortname=app.shortname,
        name=app.name,
        source=app_source(app),
        environment=masked_environment(app),
        layers=list(app.layers),
        deploys_to=app_layers(app, layers),
        domains=list(app.domains),
        attributes=app.attributes,
        created_at=app.created_at,
    )


def instance_out(stack: Stack, instance: Instance) -> schemas.InstanceOut:
    return schemas.InstanceOut(
        id=instance.id,
        stack=stack.name,
        hostname=instance.hostname,
        layers=list(instance.layers),
        status=instance.status,
        status_reason=instance.status_reason,
        scaling=instance.scaling,
        provider=instance.provider,
        private_ip=instance.private_ip,
        root_dir=instance.root_dir,
        status_changed_at=instance.status_changed_at,
        last_heartbeat_at=instance.last_heartbeat_at,
        metrics=instance.metrics,
        created_at=instance.created_at,
    )


def command_out(
    command: Command,
    hostnames: dict[str, str],
    *,
    logs: bool = False,
    configuration: bool = False,
) -> schemas.CommandOut:
    return schemas.CommandOut(
        id=command.id,
        instance=hostnames.get(command.instance_id, command.instance_id),
        deployment_id=command.deployment_id,
        type=command.type,
        status=command.status,
        reason=command.reason,
        run_list=list(command.run_list),
        created_at=command.created_at,
        sent_at=command.sent_at,
        acknowledged_at=command.acknowledged_at,
        completed_at=command.completed_at,
        exit_code=command.exit_code,
        log=command.log if logs else None,
        configuration=mask_configuration(command.configuration) if configuration else None,
    )


def deployment_out(
    stack: Stack,
    deployment: Deployment,
    hostnames: dict[str, str],
    app_names: dict[str, str],
    commands: list[schemas.CommandOut] | None = None,
) -> schemas.DeploymentOut:
    duration = None
    if deployment.completed_at and deployment.created_at:
        duration = (deployment.completed_at - deployment.created_at).total_seconds()
    return schemas.DeploymentOut(
        id=deployment.id,
        stack=stack.name,
        command=schemas.DeploymentCommandIn(name=deployment.command, args=deployment.args),
        status=deployment.status,
        app=app_names.get(deployment.app_id) if deployment.app_id else None,
        revision=deployment.revision,
        custom_json=deployment.custom_json,
        comment=deployment.comment,
        created_by=deployment.created_by,
        instances=[hostnames.get(i, i) for i in deployment.instance_ids],
        created_at=deployment.created_at,
        completed_at=deployment.completed_at,
        duration=duration,
        rolling=deployment.rolling,
        steps=list(deployment.plan),
        step=deployment.step,
        commands=commands or [],
    )


def event_out(event: StackEvent) -> schemas.EventOut:
    return schemas.EventOut(
        seq=event.seq,
        at=event.at,
        kind=event.kind,
        instance=event.hostname,
        message=event.message,
        details=event.details,
    )
