"""Entities as API answers. Secure values leave only as FILTERED."""

from __future__ import annotations

from stackworks.domain import secret_attributes
from stackworks.domain.access import Permission
from stackworks.domain.access_keys import AccessKey
from stackworks.domain.audit import AuditRecord
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
from stackworks.domain.resources import Address, RegisteredDatabase, Snapshot, Volume
from stackworks.domain.stack_config import app_layers, mask_configuration
from stackworks.domain.users import ApiToken, User
from stackworks.wire import schemas


def stack_out(
    stack: Stack, counts: dict[str, int] | None = None, heartbeat: tuple[float, float] = (0.0, 0.0)
) -> schemas.StackOut:
    """`heartbeat` is the (interval, timeout) in force for the stack."""
    counts = counts or {}
    return schemas.StackOut(
        id=stack.id,
        name=stack.name,
        custom_json=secret_attributes.mask(stack.custom_json),
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
        custom_json=secret_attributes.mask(layer.custom_json),
        shutdown_timeout=layer.shutdown_timeout,
        created_at=layer.created_at,
        volume_configurations=volume_configurations(layer),
    )


def volume_configurations(layer: Layer) -> list[schemas.VolumeConfigurationIn]:
    return [
        schemas.VolumeConfigurationIn(
            mount_point=v.mount_point,
            size=v.size,
            snapshot_every_hours=v.snapshot_every_hours,
            snapshot_keep=v.snapshot_keep,
        )
        for v in layer.volume_configurations
    ]


def data_sources(app: App) -> list[schemas.DataSourceIn]:
    return [schemas.DataSourceIn(name=d.name) for d in app.data_sources]


def app_source(app: App) -> schemas.AppSourceIn:
    return schemas.AppSourceIn(
        type=app.source.type, url=app.source.url, revision=app.source.revision
    )


def masked_environment(app: App, *, in_clear: bool = False) -> list[schemas.EnvironmentVariableIn]:
    """The app's environment for people: secure values read FILTERED (unless `in_clear`: an
    export with secrets, for a caller allowed to read them)."""
    return [
        schemas.EnvironmentVariableIn(
            key=var.key,
            value=FILTERED if var.secure and not in_clear else var.value,
            secure=var.secure,
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
        data_sources=data_sources(app),
    )


def instance_out(
    stack: Stack, instance: Instance, ssh: tuple[str, str | None] | None = None
) -> schemas.InstanceOut:
    """`ssh`: an ssh instance's (target, pinned host key); its private key is never shown."""
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
        ssh_target=ssh[0] if ssh else None,
        ssh_host_key=ssh[1] if ssh else None,
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


def audit_entry_out(entry: AuditRecord) -> schemas.AuditEntryOut:
    return schemas.AuditEntryOut(
        seq=entry.seq,
        at=entry.at,
        user=entry.principal,
        stack=entry.stack,
        action=entry.action,
        target=entry.target,
        status=entry.status_code,
        changes=entry.changes,
    )


# --- resources ------------------------------------------------------------------------------


def volume_out(
    stack: Stack, volume: Volume, hostnames: dict[str, str], layer_names: dict[str, str]
) -> schemas.VolumeOut:
    return schemas.VolumeOut(
        id=volume.id,
        stack=stack.name,
        name=volume.name,
        status=volume.status.value,
        size=volume.size,
        mount_point=volume.mount_point,
        instance=hostnames.get(volume.instance_id, volume.instance_id)
        if volume.instance_id
        else None,
        layer=layer_names.get(volume.layer_id) if volume.layer_id else None,
        path=volume.path,
        snapshot_every_hours=volume.snapshot_every_hours,
        snapshot_keep=volume.snapshot_keep,
        created_at=volume.created_at,
    )


def snapshot_out(snapshot: Snapshot) -> schemas.SnapshotOut:
    return schemas.SnapshotOut(
        id=snapshot.id,
        volume=snapshot.volume_name,
        reason=snapshot.reason.value,
        size_bytes=snapshot.size_bytes,
        created_at=snapshot.created_at,
    )


def address_out(stack: Stack, address: Address, hostnames: dict[str, str]) -> schemas.AddressOut:
    return schemas.AddressOut(
        id=address.id,
        stack=stack.name,
        ip=address.ip,
        name=address.name,
        instance=hostnames.get(address.instance_id, address.instance_id)
        if address.instance_id
        else None,
        created_at=address.created_at,
    )


def database_out(
    stack: Stack, database: RegisteredDatabase, apps: list[str]
) -> schemas.DatabaseOut:
    """A registered database for people: its password only ever as FILTERED."""
    return schemas.DatabaseOut(
        id=database.id,
        stack=stack.name,
        name=database.name,
        engine=database.engine.value,
        host=database.host,
        port=database.port,
        database=database.database,
        user=database.user,
        password=FILTERED if database.password else "",
        apps=apps,
        created_at=database.created_at,
    )


def user_out(
    user: User, permissions: list[tuple[str, Permission]] | None = None
) -> schemas.UserOut:
    """`permissions` are (stack name, permission) pairs; never a password hash or a token."""
    return schemas.UserOut(
        name=user.name,
        admin=user.is_admin,
        default_level=user.default_level,
        ssh_username=user.ssh_username,
        ssh_public_key=user.ssh_public_key,
        has_password=user.has_password,
        created_at=user.created_at,
        permissions=[permission_out(stack, user, p) for stack, p in permissions or []],
    )


def permission_out(stack: str, user: User, permission: Permission) -> schemas.StackPermissionOut:
    return schemas.StackPermissionOut(
        stack=stack,
        user=user.name,
        level=permission.level,
        allow_ssh=permission.allow_ssh,
        allow_sudo=permission.allow_sudo,
    )


def token_out(token: ApiToken) -> schemas.UserTokenOut:
    return schemas.UserTokenOut(
        name=token.name,
        kind=token.kind.value,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
    )


def access_key_out(key: AccessKey) -> schemas.AccessKeyOut:
    """An access key as listed: never its secret."""
    return schemas.AccessKeyOut(
        access_key_id=key.id,
        user=key.user_name,
        status=key.status,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
    )
