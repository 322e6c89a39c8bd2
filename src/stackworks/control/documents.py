"""Whole-stack documents: `apply` creates or updates a stack from one, `export` prints one.

Apply is idempotent: applying the same document twice changes nothing the second time. It only
adds and updates; what the document does not name is left as it is. It runs in the caller's
single transaction, so a document with an error anywhere leaves the stack untouched.

Secrets: an export carries each one as FILTERED unless asked for them (`with_secrets`, for a
caller allowed to read them). Applied back, a FILTERED secret keeps the value the stack has at
that place; where the stack has none (another stack, a new app), the secret is left unset and
the result says so in `warnings`, so the mask never lands as a value.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from stackworks.control import catalog, scaling_settings
from stackworks.control import databases as database_control
from stackworks.control.instances import AddressAllocator, create_instance
from stackworks.domain import secret_attributes
from stackworks.domain.entities import FILTERED, App, Instance, Layer, Stack
from stackworks.domain.errors import Conflict, DomainError, InvalidInput, NotFound
from stackworks.domain.load_scaling import LoadScalingConfig
from stackworks.domain.status import InstanceStatus, ScalingType
from stackworks.store import apps as app_store
from stackworks.store import databases as database_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import load_scaling as load_scaling_store
from stackworks.store import schedules as schedule_store
from stackworks.store import stacks as stack_store
from stackworks.wire import presenters, schemas


def _prefixed(error: DomainError, prefix: str) -> InvalidInput | Conflict:
    """The same error with its field placed inside the document (`layers[1].recipes`)."""
    field = f"{prefix}.{error.field}" if error.field else prefix
    message = (
        error.message.removeprefix(f"{error.field}:").strip() if error.field else error.message
    )
    kind = Conflict if isinstance(error, Conflict) else InvalidInput
    return kind(f"{field}: {message}", field=field)


def apply_document(
    session: Session,
    document: schemas.StackDocument,
    *,
    provider: str,
    allocate_address: AddressAllocator,
    data_dir: Path | None = None,
) -> schemas.ApplyResult:
    result = schemas.ApplyResult(stack=document.name, created=[], updated=[], unchanged=[])
    stack = _apply_stack(session, document, result)
    for n, layer in enumerate(document.layers):
        try:
            _apply_layer(session, stack, layer, result)
        except DomainError as error:
            raise _prefixed(error, f"layers[{n}]") from error
    for n, database in enumerate(document.databases):  # before the apps that name them
        try:
            _apply_database(session, stack, database, result)
        except DomainError as error:
            raise _prefixed(error, f"databases[{n}]") from error
    for n, app in enumerate(document.apps):
        try:
            _apply_app(session, stack, app, result)
        except DomainError as error:
            raise _prefixed(error, f"apps[{n}]") from error
    for n, instance in enumerate(document.instances):
        try:
            _apply_instance(session, stack, instance, result, provider, allocate_address, data_dir)
        except DomainError as error:
            raise _prefixed(error, f"instances[{n}]") from error
    for shortname, thresholds in document.load_scaling.items():
        try:
            _apply_load_scaling(session, stack, shortname, thresholds, result)
        except DomainError as error:
            raise _prefixed(error, f"load_scaling.{shortname}") from error
    for hostname, week in document.schedules.items():
        try:
            _apply_schedule(session, stack, hostname, week, result)
        except DomainError as error:
            raise _prefixed(error, f"schedules.{hostname}") from error
    return result


def _apply_load_scaling(
    session: Session,
    stack: Stack,
    shortname: str,
    body: schemas.LoadScalingUpdate,
    result: schemas.ApplyResult,
) -> None:
    layer = layer_store.get(session, stack.id, shortname)
    before, _state = load_scaling_store.get(session, layer.id)
    after = scaling_settings.update_load_scaling(session, layer, body)
    label = f"load scaling of layer {shortname}"
    (result.unchanged if after == before else result.updated).append(label)


def _apply_schedule(
    session: Session,
    stack: Stack,
    hostname: str,
    body: schemas.WeeklyScheduleIn,
    result: schemas.ApplyResult,
) -> None:
    instance = instance_store.get_by_hostname(session, stack.id, hostname)
    before = schedule_store.get(session, instance.id)
    after = scaling_settings.set_schedule(session, instance, body)
    label = f"schedule of instance {hostname}"
    (result.unchanged if after.to_dict() == before.to_dict() else result.updated).append(label)


def _kept_secrets(
    value: dict[str, Any], old: dict[str, Any], label: str, result: schemas.ApplyResult
) -> dict[str, Any]:
    """Custom JSON with each FILTERED secret given the stored value, or left out (warned)."""
    secret_attributes.check(value, "custom_json")
    kept, unresolved = secret_attributes.keep_masked(value, old)
    for path in unresolved:
        result.warnings.append(
            f"{label}: custom_json{secret_attributes.dotted(path)}: the document has no value "
            f"for this secret ({FILTERED}) and the stack none to keep: left unset"
        )
    resolved: dict[str, Any] = kept
    return resolved


def _apply_stack(
    session: Session, document: schemas.StackDocument, result: schemas.ApplyResult
) -> Stack:
    try:
        stack = stack_store.get_by_name(session, document.name)
    except NotFound:
        result.created.append(f"stack {document.name}")
        return catalog.create_stack(
            session,
            schemas.StackCreate(
                name=document.name,
                custom_json=_kept_secrets(
                    document.custom_json, {}, f"stack {document.name}", result
                ),
                hostname_theme=document.hostname_theme,
                cookbook_sources=document.cookbook_sources,
            ),
        )
    updated = catalog.update_stack(
        session,
        stack,
        schemas.StackUpdate(
            custom_json=_kept_secrets(
                document.custom_json, stack.custom_json, f"stack {stack.name}", result
            ),
            hostname_theme=document.hostname_theme,
            cookbook_sources=document.cookbook_sources,
        ),
    )
    (result.unchanged if updated == stack else result.updated).append(f"stack {stack.name}")
    return updated


def _apply_layer(
    session: Session, stack: Stack, body: schemas.LayerCreate, result: schemas.ApplyResult
) -> None:
    label = f"layer {body.shortname}"
    try:
        layer = layer_store.get(session, stack.id, body.shortname)
    except NotFound:
        custom_json = _kept_secrets(body.custom_json, {}, label, result)
        catalog.create_layer(session, stack, body.model_copy(update={"custom_json": custom_json}))
        result.created.append(label)
        return
    if layer.type is not body.type:
        raise InvalidInput(
            f"type: layer {body.shortname!r} is {layer.type.value}; a layer's type cannot change",
            field="type",
        )
    updated = catalog.update_layer(
        session,
        layer,
        schemas.LayerUpdate(
            name=body.name or body.shortname,
            recipes=body.recipes,
            packages=body.packages,
            auto_healing=body.auto_healing,
            custom_json=_kept_secrets(body.custom_json, layer.custom_json, label, result),
            shutdown_timeout=body.shutdown_timeout,
            volume_configurations=body.volume_configurations,
        ),
    )
    (result.unchanged if updated == layer else result.updated).append(label)


def _apply_database(
    session: Session, stack: Stack, body: schemas.DatabaseRegister, result: schemas.ApplyResult
) -> None:
    label = f"database {body.name}"
    try:
        database = database_store.get(session, stack.id, body.name)
    except NotFound:
        if body.password == FILTERED:
            result.warnings.append(
                f"{label}: the document has no password for it ({FILTERED}): registered "
                f"without one; set it with `stackworks database update {stack.name} {body.name} "
                "--password-file FILE`"
            )
            body = body.model_copy(update={"password": ""})
        database_control.register_database(session, stack, body)
        result.created.append(label)
        return
    if body.engine != database.engine.value:
        raise InvalidInput(
            f"engine: database {body.name!r} is {database.engine.value}; it cannot change",
            field="engine",
        )
    updated = database_control.update_database(
        session,
        database,
        schemas.DatabaseUpdate(
            host=body.host,
            port=body.port,
            database=body.database,
            user=body.user,
            password=body.password,
        ),
    )
    (result.unchanged if updated == database else result.updated).append(label)


def _apply_app(
    session: Session, stack: Stack, body: schemas.AppCreate, result: schemas.ApplyResult
) -> None:
    label = f"app {body.shortname}"
    try:
        app = app_store.get(session, stack.id, body.shortname)
    except NotFound:
        body = _without_unknown_masks(body, None, label, result)
        catalog.create_app(session, stack, body)
        result.created.append(label)
        return
    body = _without_unknown_masks(body, app, label, result)
    updated = catalog.update_app(
        session,
        stack,
        app,
        schemas.AppUpdate(
            name=body.name or body.shortname,
            source=body.source,
            environment=body.environment,
            layers=body.layers,
            domains=body.domains,
            attributes=body.attributes,
            data_sources=body.data_sources,
        ),
    )
    (result.unchanged if updated == app else result.updated).append(label)


def _without_unknown_masks(
    body: schemas.AppCreate, app: App | None, label: str, result: schemas.ApplyResult
) -> schemas.AppCreate:
    """The app without the secure variables sent as FILTERED that it has no value for."""
    stored = {var.key for var in app.environment if var.secure} if app else set()
    kept = []
    for var in body.environment:
        if var.secure and var.value == FILTERED and var.key not in stored:
            result.warnings.append(
                f"{label}: environment.{var.key}: the document has no value for it ({FILTERED}) "
                "and the app none to keep: left unset"
            )
            continue
        kept.append(var)
    return body.model_copy(update={"environment": kept})


def _apply_instance(
    session: Session,
    stack: Stack,
    body: schemas.InstanceCreate,
    result: schemas.ApplyResult,
    provider: str,
    allocate_address: AddressAllocator,
    data_dir: Path | None,
) -> None:
    if not body.hostname:
        raise InvalidInput(
            "hostname: an instance in a stack document needs a hostname", field="hostname"
        )
    label = f"instance {body.hostname}"
    try:
        instance = instance_store.get_by_hostname(session, stack.id, body.hostname)
    except NotFound:
        create_instance(
            session,
            stack,
            body,
            provider=provider,
            allocate_address=allocate_address,
            data_dir=data_dir,
        )
        result.created.append(label)
        return
    if tuple(body.layers) == instance.layers:
        result.unchanged.append(label)
        return
    if instance.status is not InstanceStatus.STOPPED:
        raise Conflict(
            f"layers: instance {body.hostname!r} is {instance.status.value}; "
            "stop it to change its layers",
            field="layers",
        )
    known = {layer.shortname for layer in layer_store.list_for_stack(session, stack.id)}
    for name in body.layers:
        if name not in known:
            raise InvalidInput(f"layers: the stack has no layer {name!r}", field="layers")
    instance_store.update_fields(session, instance.id, layers=list(body.layers))
    result.updated.append(label)


def export_document(
    session: Session, stack: Stack, *, with_secrets: bool = False
) -> schemas.StackDocument:
    """The stack as a document that `apply` takes back; secure values stay FILTERED unless
    `with_secrets` (the caller must have been found allowed to read them)."""
    layers = layer_store.list_for_stack(session, stack.id)
    instances = instance_store.list_for_stack(session, stack.id)

    def custom(value: dict[str, Any]) -> dict[str, Any]:
        shown: dict[str, Any] = value if with_secrets else secret_attributes.mask(value)
        return shown

    return schemas.StackDocument(
        name=stack.name,
        custom_json=custom(stack.custom_json),
        hostname_theme=stack.hostname_theme,
        cookbook_sources=[
            schemas.CookbookSourceIn(type=s.type, url=s.url, ref=s.ref)
            for s in stack.cookbook_sources
        ],
        layers=[
            schemas.LayerCreate(
                shortname=layer.shortname,
                name=layer.name,
                type=layer.type,
                recipes={event.value: list(names) for event, names in layer.recipes.items()},
                packages=list(layer.packages),
                auto_healing=layer.auto_healing,
                custom_json=custom(layer.custom_json),
                shutdown_timeout=layer.shutdown_timeout,
                volume_configurations=presenters.volume_configurations(layer),
            )
            for layer in layers
        ],
        apps=[
            schemas.AppCreate(
                shortname=app.shortname,
                name=app.name,
                source=presenters.app_source(app),
                environment=presenters.masked_environment(app, in_clear=with_secrets),
                layers=list(app.layers),
                domains=list(app.domains),
                attributes=app.attributes,
                data_sources=presenters.data_sources(app),
            )
            for app in app_store.list_for_stack(session, stack.id)
        ],
        instances=[
            schemas.InstanceCreate(layers=list(i.layers), hostname=i.hostname, scaling=i.scaling)
            for i in instances
        ],
        databases=[
            schemas.DatabaseRegister(
                name=db.name,
                engine=db.engine.value,
                host=db.host,
                port=db.port,
                database=db.database,
                user=db.user,
                password=db.password if with_secrets or not db.password else FILTERED,
            )
            for db in database_store.list_for_stack(session, stack.id)
        ],
        load_scaling=_exported_load_scaling(session, layers),
        schedules=_exported_schedules(session, instances),
    )


def _exported_load_scaling(
    session: Session, layers: list[Layer]
) -> dict[str, schemas.LoadScalingUpdate]:
    exported = {}
    for layer in layers:
        config, _state = load_scaling_store.get(session, layer.id)
        if config != LoadScalingConfig():
            exported[layer.shortname] = schemas.LoadScalingUpdate(
                enable=config.enable,
                up_scaling=schemas.ThresholdsIn(**asdict(config.up)),
                down_scaling=schemas.ThresholdsIn(**asdict(config.down)),
            )
    return exported


def _exported_schedules(
    session: Session, instances: list[Instance]
) -> dict[str, schemas.WeeklyScheduleIn]:
    exported = {}
    for instance in instances:
        if instance.scaling is ScalingType.TIME:
            week = schedule_store.get(session, instance.id).to_dict()
            if week:
                exported[instance.hostname] = schemas.WeeklyScheduleIn.model_validate(week)
    return exported
