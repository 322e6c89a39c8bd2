"""Layers: CreateLayer, DescribeLayers, UpdateLayer, DeleteLayer.

A Layer shape is the Stackworks layer (type, names, recipes per event, packages, custom JSON,
auto-healing, shutdown time-out, volume configurations) plus what only OpsWorks has (security
groups, instance profile, public IPs, ...), kept as given. Types: OpsWorks' `custom`, `lb`
(HAProxy, as OpsWorks' was) and `memcached` are Stackworks' own; Stackworks' other types
(`python-app`, `redis`, the Plone ones) are accepted as a Type too. OpsWorks' Ruby, PHP, Java,
Node.js, static web, MySQL, Ganglia and ECS layer types are refused, saying what to use.
"""

from __future__ import annotations

from typing import Any

from stackworks.control import catalog
from stackworks.domain.access import Level
from stackworks.domain.entities import Layer, Stack
from stackworks.domain.layer_types import DEFAULT_RECIPES
from stackworks.domain.status import LayerType, LifecycleEvent
from stackworks.opsworks import model, shapes
from stackworks.opsworks.context import Context
from stackworks.opsworks.errors import ValidationException
from stackworks.opsworks.registry import operation
from stackworks.store import layers as layer_store
from stackworks.store import opsworks_attributes
from stackworks.wire import schemas

model.extend_enum("LayerType", [t.value for t in LayerType])

#: members of Create/UpdateLayer kept as given and returned by DescribeLayers
KEPT = (
    "Attributes",
    "CloudWatchLogsConfiguration",
    "CustomInstanceProfileArn",
    "CustomSecurityGroupIds",
    "AutoAssignElasticIps",
    "AutoAssignPublicIps",
    "InstallUpdatesOnBoot",
    "UseEbsOptimizedInstances",
)
#: OpsWorks' recipe lists, by the lifecycle event each is for
EVENTS = {event.value.capitalize(): event for event in LifecycleEvent}


def layer_type(value: str) -> LayerType:
    if value in LayerType.__members__.values():
        return LayerType(value)
    if value == "ecs-cluster":
        raise ValidationException(
            "Type: Stackworks has no ECS clusters; its instances run your processes under "
            "supervisord (layer types custom, python-app, ...)"
        )
    known = ", ".join(t.value for t in LayerType)
    raise ValidationException(
        f"Type: Stackworks has no {value!r} layers; its types are {known}. A Python web app "
        "is python-app; anything else is custom with your own recipes (docs/recipes.md)"
    )


def _refuse_ec2_only(params: dict[str, Any]) -> None:
    """What OpsWorks did with EC2 and AWS services, which Stackworks does another way."""
    logs = params.get("CloudWatchLogsConfiguration") or {}
    if logs.get("Enabled"):
        raise ValidationException(
            "CloudWatchLogsConfiguration.Enabled: Stackworks ships no logs to CloudWatch Logs; "
            "it keeps each command's log itself (DescribeCommands, `stackworks command list`)"
        )
    if params.get("AutoAssignElasticIps"):
        raise ValidationException(
            "AutoAssignElasticIps: Stackworks assigns no addresses by itself; register one "
            "(RegisterElasticIp) and move it between instances with AssociateElasticIp"
        )
    if "EcsClusterArn" in (params.get("Attributes") or {}):
        raise ValidationException("Attributes.EcsClusterArn: Stackworks has no ECS clusters")


def recipes_in(given: dict[str, Any] | None) -> dict[str, list[str]] | None:
    """OpsWorks' Recipes ({"Setup": [...], ...}) as Stackworks' ({"setup": [...]})."""
    if given is None:
        return None
    return {EVENTS[name].value: list(names) for name, names in given.items() if names}


def recipes_out(recipes: dict[Any, Any]) -> dict[str, list[str]]:
    return {
        name: list(recipes.get(event, recipes.get(event.value, ())))
        for name, event in EVENTS.items()
    }


def volumes_in(
    given: list[dict[str, Any]] | None, layer: Layer | None = None
) -> list[schemas.VolumeConfigurationIn] | None:
    """VolumeConfigurations as Stackworks' (one volume per instance at each mount point);
    the snapshot schedule an existing one has is kept. RAID is refused."""
    if given is None:
        return None
    before = {v.mount_point: v for v in (layer.volume_configurations if layer else ())}
    out = []
    for n, item in enumerate(given):
        if item.get("NumberOfDisks", 1) != 1 or item.get("RaidLevel") is not None:
            raise ValidationException(
                f"VolumeConfigurations[{n}]: Stackworks has no RAID arrays; a layer's volume "
                "is one volume per instance (NumberOfDisks 1, no RaidLevel)"
            )
        old = before.get(item["MountPoint"])
        out.append(
            schemas.VolumeConfigurationIn(
                mount_point=item["MountPoint"],
                size=item["Size"],
                snapshot_every_hours=old.snapshot_every_hours if old else 0,
                snapshot_keep=old.snapshot_keep if old else 15,
            )
        )
    return out


def _volume_extras(given: list[dict[str, Any]] | None) -> dict[str, Any]:
    """What VolumeConfigurations say that Stackworks keeps only to return (VolumeType, ...)."""
    if given is None:
        return {}
    return {
        "VolumeExtras": {
            item["MountPoint"]: shapes.picked(item, ("VolumeType", "Iops", "Encrypted"))
            for item in given
        }
    }


def layer_shape(ctx: Context, stack: Stack, layer: Layer) -> dict[str, Any]:
    kept = opsworks_attributes.get(ctx.session, layer.id)
    extras = kept.pop("VolumeExtras", {})
    delay = kept.pop("DelayUntilElbConnectionsDrained", None)
    region = str(
        opsworks_attributes.get(ctx.session, stack.id).get("Region", shapes.DEFAULT_REGION)
    )
    return shapes.drop_none(
        {
            **kept,
            "StackId": stack.id,
            "LayerId": layer.id,
            "Arn": shapes.arn(region, "layer", layer.id),
            "Type": layer.type.value,
            "Name": layer.name,
            "Shortname": layer.shortname,
            "CustomJson": shapes.custom_json_out(layer.custom_json),
            "Packages": list(layer.packages),
            "VolumeConfigurations": [
                {
                    "MountPoint": v.mount_point,
                    "NumberOfDisks": 1,
                    "Size": v.size,
                    **extras.get(v.mount_point, {}),
                }
                for v in layer.volume_configurations
            ],
            "EnableAutoHealing": layer.auto_healing,
            "DefaultRecipes": recipes_out(dict(DEFAULT_RECIPES[layer.type])),
            "CustomRecipes": recipes_out(dict(layer.recipes)),
            "LifecycleEventConfiguration": {
                "Shutdown": shapes.drop_none(
                    {
                        "ExecutionTimeout": layer.shutdown_timeout,
                        "DelayUntilElbConnectionsDrained": delay,
                    }
                )
            },
            "CreatedAt": shapes.timestamp(layer.created_at),
        }
    )


def _kept(params: dict[str, Any], before: dict[str, Any] | None = None) -> dict[str, Any]:
    kept = {
        **(before or {}),
        **shapes.picked(params, KEPT),
        **_volume_extras(params.get("VolumeConfigurations")),
    }
    shutdown = (params.get("LifecycleEventConfiguration") or {}).get("Shutdown") or {}
    if "DelayUntilElbConnectionsDrained" in shutdown:
        kept["DelayUntilElbConnectionsDrained"] = shutdown["DelayUntilElbConnectionsDrained"]
    return kept


def _shutdown_timeout(params: dict[str, Any]) -> int | None:
    shutdown = (params.get("LifecycleEventConfiguration") or {}).get("Shutdown") or {}
    timeout = shutdown.get("ExecutionTimeout")
    return int(timeout) if timeout is not None else None


@operation("CreateLayer")
def create_layer(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"], Level.MANAGE)
    _refuse_ec2_only(params)
    body = shapes.request(
        schemas.LayerCreate,
        shortname=params["Shortname"],
        name=params["Name"],
        type=layer_type(params["Type"]),
        recipes=recipes_in(params.get("CustomRecipes")) or {},
        packages=params.get("Packages") or [],
        auto_healing=params.get("EnableAutoHealing", True),
        custom_json=shapes.custom_json_given(params) or {},
        shutdown_timeout=_shutdown_timeout(params) or 120,
        volume_configurations=volumes_in(params.get("VolumeConfigurations")) or [],
    )
    layer = catalog.create_layer(ctx.session, stack, body)
    opsworks_attributes.put(ctx.session, "layer", stack.id, layer.id, _kept(params))
    return {"LayerId": layer.id}


@operation("DescribeLayers")
def describe_layers(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """The layers of StackId, or those LayerIds name (each in a stack the caller may see)."""
    ids = params.get("LayerIds")
    if ids:
        found = [ctx.layer(i) for i in ids]
        if params.get("StackId"):
            found = [(s, layer) for s, layer in found if s.id == params["StackId"]]
        return {"Layers": [layer_shape(ctx, s, layer) for s, layer in found]}
    if not params.get("StackId"):
        raise ValidationException("DescribeLayers needs a StackId or LayerIds")
    stack = ctx.stack(params["StackId"])
    layers = layer_store.list_for_stack(ctx.session, stack.id)
    return {"Layers": [layer_shape(ctx, stack, layer) for layer in layers]}


@operation("UpdateLayer")
def update_layer(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack, layer = ctx.layer(params["LayerId"], Level.MANAGE)
    _refuse_ec2_only(params)
    if params.get("Shortname") not in (None, layer.shortname):
        raise ValidationException(
            "Shortname: a Stackworks layer keeps its shortname (instances, apps and recipes "
            "name it); create a new layer instead"
        )
    body = shapes.request(
        schemas.LayerUpdate,
        name=params.get("Name"),
        recipes=recipes_in(params.get("CustomRecipes")),
        packages=params.get("Packages"),
        auto_healing=params.get("EnableAutoHealing"),
        custom_json=shapes.custom_json_given(params),
        shutdown_timeout=_shutdown_timeout(params),
        volume_configurations=volumes_in(params.get("VolumeConfigurations"), layer),
    )
    catalog.update_layer(ctx.session, layer, body)
    before = opsworks_attributes.get(ctx.session, layer.id)
    opsworks_attributes.put(ctx.session, "layer", stack.id, layer.id, _kept(params, before))
    return {}


@operation("DeleteLayer")
def delete_layer(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _stack, layer = ctx.layer(params["LayerId"], Level.MANAGE)
    catalog.delete_layer(ctx.session, layer)
    return {}
