"""Stacks, layers and apps: validated create, update and delete.

Validation happens here, before anything is written, so a bad request leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from stackworks.control.databases import check_data_sources
from stackworks.converge.cookbook_sources import CookbookSourceError, resolve_git_ref
from stackworks.domain import secret_attributes
from stackworks.domain.entities import (
    FILTERED,
    App,
    AppSource,
    CookbookSource,
    EnvironmentVariable,
    Layer,
    Stack,
)
from stackworks.domain.errors import Conflict, InvalidInput
from stackworks.domain.hostnames import suggest_hostname
from stackworks.domain.names import (
    check_hostname,
    check_recipe_name,
    check_shortname,
    check_stack_name,
)
from stackworks.domain.resources import VolumeConfiguration, check_volume_configurations
from stackworks.domain.status import CookbookSourceType, InstanceStatus, LifecycleEvent
from stackworks.store import addresses as address_store
from stackworks.store import apps as app_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import stacks as stack_store
from stackworks.store import volumes as volume_store
from stackworks.store.ids import new_id
from stackworks.wire import schemas

# --- stacks ---------------------------------------------------------------------------------


def _check_json_object(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(f"{field}: must be a JSON object", field=field)
    return value


def _custom_json(value: Any, old: dict[str, Any] | None = None) -> dict[str, Any]:
    """Custom JSON as given, its secrets checked; a secret sent back as FILTERED keeps the
    value `old` has at that place, and one `old` has no value for is refused."""
    checked = _check_json_object(value, "custom_json")
    secret_attributes.check(checked, "custom_json")
    kept, unresolved = secret_attributes.keep_masked(checked, old or {})
    if unresolved:
        where = secret_attributes.dotted(unresolved[0])
        raise InvalidInput(
            f"custom_json{where}: {FILTERED} is the mask of a secret, not a value, "
            "and there is no stored secret there to keep",
            field=f"custom_json{where}",
        )
    result: dict[str, Any] = kept
    return result


def cookbook_sources_in(items: list[schemas.CookbookSourceIn]) -> tuple[CookbookSource, ...]:
    sources = []
    for n, item in enumerate(items):
        if item.type is not CookbookSourceType.BUILTIN and not item.url:
            raise InvalidInput(
                f"cookbook_sources[{n}].url: a {item.type.value} source needs a url",
                field=f"cookbook_sources[{n}].url",
            )
        sources.append(CookbookSource(type=item.type, url=item.url, ref=item.ref or "HEAD"))
    return tuple(sources)


def pin_sources(
    sources: tuple[CookbookSource, ...], *, refresh: bool = False
) -> tuple[CookbookSource, ...]:
    """Pin each git source to the commit its ref names now: new ones always, all on `refresh`
    (update_custom_cookbooks). Agents fetch exactly the pinned commit until the next refresh."""
    pinned = []
    for n, source in enumerate(sources):
        if source.type is CookbookSourceType.GIT and (refresh or not source.pinned_commit):
            try:
                commit = resolve_git_ref(source.url, source.ref)
            except CookbookSourceError as error:
                raise InvalidInput(
                    f"cookbook_sources[{n}].url: {error}", field=f"cookbook_sources[{n}].url"
                ) from error
            source = replace(source, pinned_commit=commit)
        pinned.append(source)
    return tuple(pinned)


def create_stack(session: Session, body: schemas.StackCreate) -> Stack:
    check_stack_name(body.name)
    suggest_hostname(body.hostname_theme, "x", ())  # validates the theme
    stack = Stack(
        id=new_id(),
        name=body.name,
        custom_json=_custom_json(body.custom_json),
        hostname_theme=body.hostname_theme.lower(),
        cookbook_sources=pin_sources(cookbook_sources_in(body.cookbook_sources)),
    )
    return stack_store.create(session, stack)


def update_stack(session: Session, stack: Stack, body: schemas.StackUpdate) -> Stack:
    changes: dict[str, Any] = {}
    if body.custom_json is not None:
        changes["custom_json"] = _custom_json(body.custom_json, stack.custom_json)
    if body.hostname_theme is not None:
        suggest_hostname(body.hostname_theme, "x", ())
        changes["hostname_theme"] = body.hostname_theme.lower()
    if body.cookbook_sources is not None:
        new = cookbook_sources_in(body.cookbook_sources)
        pinned = {(s.type, s.url, s.ref): s.pinned_commit for s in stack.cookbook_sources}
        changes["cookbook_sources"] = pin_sources(
            tuple(replace(s, pinned_commit=pinned.get((s.type, s.url, s.ref))) for s in new)
        )
    if body.heartbeat_interval is not None:
        changes["heartbeat_interval"] = body.heartbeat_interval or None
    if body.heartbeat_timeout is not None:
        changes["heartbeat_timeout"] = body.heartbeat_timeout or None
    updated = replace(stack, **changes)
    _check_heartbeat(updated)
    return stack_store.update(session, updated)


def _check_heartbeat(stack: Stack) -> None:
    """A time-out must leave room for at least two missed beats, or healthy instances flap."""
    interval, timeout = stack.heartbeat_interval, stack.heartbeat_timeout
    if interval and timeout and timeout < 2 * interval:
        raise InvalidInput(
            f"heartbeat_timeout: {timeout:g} s is less than two heartbeat intervals "
            f"({interval:g} s each); give at least {2 * interval:g} s",
            field="heartbeat_timeout",
        )


def delete_stack(session: Session, stack: Stack) -> None:
    busy = [
        i.hostname
        for i in instance_store.list_for_stack(session, stack.id)
        if i.status is not InstanceStatus.STOPPED
    ]
    if busy:
        raise Conflict(
            f"stack {stack.name!r} has instances that are not stopped: {', '.join(busy)}"
        )
    kept = [
        f"{kind} {name}"
        for kind, names in (
            ("address", [a.name for a in address_store.list_for_stack(session, stack.id)]),
            ("volume", [v.name for v in volume_store.list_for_stack(session, stack.id)]),
        )
        for name in names
    ]
    if kept:  # their claims and data live outside the database: deregistering releases them
        raise Conflict(
            f"stack {stack.name!r} still has registered resources: {', '.join(kept)}; "
            "deregister them first"
        )
    for instance in instance_store.list_for_stack(session, stack.id):
        instance_store.delete(session, instance.id)
    stack_store.delete(session, stack.id)


# --- layers ---------------------------------------------------------------------------------


def _recipes(recipes: dict[str, list[str]]) -> dict[LifecycleEvent, tuple[str, ...]]:
    checked: dict[LifecycleEvent, tuple[str, ...]] = {}
    events = [e.value for e in LifecycleEvent]
    for event, names in recipes.items():
        if event not in events:
            raise InvalidInput(
                f"recipes: unknown event {event!r} (events: {', '.join(events)})",
                field=f"recipes.{event}",
            )
        checked[LifecycleEvent(event)] = tuple(
            check_recipe_name(name, field=f"recipes.{event}") for name in names
        )
    return checked


def _packages(packages: list[str]) -> tuple[str, ...]:
    for name in packages:
        if not name or name.startswith("-") or any(c.isspace() for c in name):
            raise InvalidInput(f"packages: {name!r} is not a package name", field="packages")
    return tuple(packages)


def _volume_configurations(
    items: list[schemas.VolumeConfigurationIn],
) -> tuple[VolumeConfiguration, ...]:
    return check_volume_configurations(
        [
            VolumeConfiguration(
                mount_point=item.mount_point,
                size=item.size,
                snapshot_every_hours=item.snapshot_every_hours,
                snapshot_keep=item.snapshot_keep,
            )
            for item in items
        ]
    )


def create_layer(session: Session, stack: Stack, body: schemas.LayerCreate) -> Layer:
    check_shortname(body.shortname)
    layer = Layer(
        id=new_id(),
        stack_id=stack.id,
        shortname=body.shortname,
        name=body.name or body.shortname,
        type=body.type,
        recipes=_recipes(body.recipes),
        packages=_packages(body.packages),
        auto_healing=body.auto_healing,
        custom_json=_custom_json(body.custom_json),
        shutdown_timeout=body.shutdown_timeout,
        volume_configurations=_volume_configurations(body.volume_configurations),
    )
    return layer_store.create(session, layer)


def update_layer(session: Session, layer: Layer, body: schemas.LayerUpdate) -> Layer:
    changes: dict[str, Any] = {}
    if body.name is not None:
        changes["name"] = body.name
    if body.recipes is not None:
        changes["recipes"] = _recipes(body.recipes)
    if body.packages is not None:
        changes["packages"] = _packages(body.packages)
    if body.auto_healing is not None:
        changes["auto_healing"] = body.auto_healing
    if body.custom_json is not None:
        changes["custom_json"] = _custom_json(body.custom_json, layer.custom_json)
    if body.shutdown_timeout is not None:
        changes["shutdown_timeout"] = body.shutdown_timeout
    if body.volume_configurations is not None:
        changes["volume_configurations"] = _volume_configurations(body.volume_configurations)
    return layer_store.update(session, replace(layer, **changes))


def delete_layer(session: Session, layer: Layer) -> None:
    users = [
        i.hostname
        for i in instance_store.list_for_stack(session, layer.stack_id)
        if layer.shortname in i.layers
    ]
    if users:
        raise Conflict(f"layer {layer.shortname!r} still has instances: {', '.join(users)}")
    layer_store.delete(session, layer.id)


# --- apps -----------------------------------------------------------------------------------


def _app_layers(session: Session, stack: Stack, names: list[str]) -> tuple[str, ...]:
    known = {layer.shortname for layer in layer_store.list_for_stack(session, stack.id)}
    for name in names:
        if name not in known:
            raise InvalidInput(f"layers: the stack has no layer {name!r}", field="layers")
    return tuple(names)


def _environment(
    items: list[schemas.EnvironmentVariableIn], old: tuple[EnvironmentVariable, ...] = ()
) -> tuple[EnvironmentVariable, ...]:
    previous = {var.key: var for var in old}
    seen: set[str] = set()
    result = []
    for item in items:
        if not item.key or not item.key.replace("_", "a").isalnum() or item.key[0].isdigit():
            raise InvalidInput(
                f"environment: {item.key!r} is not a valid variable name", field="environment"
            )
        if item.key in seen:
            raise InvalidInput(f"environment: {item.key!r} is given twice", field="environment")
        seen.add(item.key)
        value = item.value
        if item.secure and value == FILTERED:
            kept = previous.get(item.key)
            if kept is None or not kept.secure:
                raise InvalidInput(
                    f"environment.{item.key}: {FILTERED} is the mask of a secure value, not a "
                    "value, and there is no stored one to keep",
                    field=f"environment.{item.key}",
                )
            value = kept.value  # an unchanged masked value keeps the stored one
        result.append(EnvironmentVariable(key=item.key, value=value, secure=item.secure))
    return tuple(result)


def _source(source: schemas.AppSourceIn) -> AppSource:
    if not source.url.strip():
        raise InvalidInput("source.url: an app needs a source url", field="source.url")
    if source.url.startswith("-"):
        raise InvalidInput("source.url: must not start with '-'", field="source.url")
    return AppSource(type=source.type, url=source.url, revision=source.revision or "HEAD")


def create_app(session: Session, stack: Stack, body: schemas.AppCreate) -> App:
    check_shortname(body.shortname)
    app = App(
        id=new_id(),
        stack_id=stack.id,
        shortname=body.shortname,
        name=body.name or body.shortname,
        source=_source(body.source),
        environment=_environment(body.environment),
        layers=_app_layers(session, stack, body.layers),
        domains=tuple(body.domains),
        attributes=_check_json_object(body.attributes, "attributes"),
        data_sources=check_data_sources(session, stack, body.data_sources),
    )
    return app_store.create(session, app)


def update_app(session: Session, stack: Stack, app: App, body: schemas.AppUpdate) -> App:
    changes: dict[str, Any] = {}
    if body.name is not None:
        changes["name"] = body.name
    if body.source is not None:
        changes["source"] = _source(body.source)
    if body.environment is not None:
        changes["environment"] = _environment(body.environment, app.environment)
    if body.layers is not None:
        changes["layers"] = _app_layers(session, stack, body.layers)
    if body.domains is not None:
        changes["domains"] = tuple(body.domains)
    if body.attributes is not None:
        changes["attributes"] = _check_json_object(body.attributes, "attributes")
    if body.data_sources is not None:
        changes["data_sources"] = check_data_sources(session, stack, body.data_sources)
    return app_store.update(session, replace(app, **changes))


# --- instances ------------------------------------------------------------------------------


def check_instance_request(
    session: Session, stack: Stack, body: schemas.InstanceCreate
) -> tuple[str, tuple[str, ...]]:
    """The hostname (given or suggested) and layers of a new instance, checked."""
    known = {layer.shortname for layer in layer_store.list_for_stack(session, stack.id)}
    for name in body.layers:
        if name not in known:
            raise InvalidInput(f"layers: the stack has no layer {name!r}", field="layers")
    if len(set(body.layers)) != len(body.layers):
        raise InvalidInput("layers: a layer is named twice", field="layers")
    taken = instance_store.hostnames(session, stack.id)
    if body.hostname is not None:
        hostname = check_hostname(body.hostname)
        if hostname in taken:
            raise Conflict(
                f"hostname: the stack already has an instance {hostname!r}", field="hostname"
            )
    else:
        hostname = suggest_hostname(stack.hostname_theme, body.layers[0], taken)
    return hostname, tuple(body.layers)
