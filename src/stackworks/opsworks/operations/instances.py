"""Instances: CreateInstance, DescribeInstances, UpdateInstance, DeleteInstance, StartInstance,
StopInstance, RebootInstance, AssignInstance, UnassignInstance, RegisterInstance,
DeregisterInstance, GetHostnameSuggestion.

An Instance shape is the Stackworks instance (hostname, layers, status, address, scaling)
plus what only EC2 had (InstanceType, Os, SshKeyName, AvailabilityZone, ...), kept as given
and returned. Statuses are OpsWorks' own already. New instances go to the `local` provider,
as `stackworks instance create` does; hosts you run yourself join with `stackworks agent
register`, which RegisterInstance cannot do (it has no way to hand the host its credential).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from stackworks import __version__
from stackworks.control import agent_credentials
from stackworks.control import instances as instance_control
from stackworks.domain.access import Level
from stackworks.domain.entities import Instance, Stack
from stackworks.domain.hostnames import suggest_hostname
from stackworks.domain.names import check_hostname
from stackworks.domain.status import InstanceStatus, ScalingType
from stackworks.opsworks import shapes
from stackworks.opsworks.context import Context
from stackworks.opsworks.errors import ValidationException
from stackworks.opsworks.registry import Handler, operation, refusal
from stackworks.store import addresses as address_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import opsworks_attributes
from stackworks.wire import schemas

PROVIDER = "local"
#: members of Create/UpdateInstance kept as given and returned by DescribeInstances
KEPT = (
    "InstanceType",
    "Os",
    "SshKeyName",
    "AvailabilityZone",
    "VirtualizationType",
    "SubnetId",
    "Architecture",
    "RootDeviceType",
    "InstallUpdatesOnBoot",
    "EbsOptimized",
    "AgentVersion",
    "Tenancy",
)
SCALING_IN = {"load": ScalingType.LOAD, "timer": ScalingType.TIME}
SCALING_OUT = {ours: theirs for theirs, ours in SCALING_IN.items()}


def _refuse_ec2_only(params: dict[str, Any]) -> None:
    if params.get("AmiId"):
        raise ValidationException(
            "AmiId: Stackworks instances are made by its provider (local: a directory tree, "
            "a loopback address and a supervisord on this host), not from machine images; "
            "put what an image would have in the layer's Packages and recipes"
        )
    if params.get("BlockDeviceMappings"):
        raise ValidationException(
            "BlockDeviceMappings: Stackworks has no EBS devices; give the layer "
            "VolumeConfigurations for a volume per instance"
        )


def _layer_names(ctx: Context, stack: Stack, layer_ids: list[str]) -> list[str]:
    """LayerIds as the shortnames Stackworks instances name their layers by."""
    names = []
    for layer_id in layer_ids:
        layer = layer_store.find_by_id(ctx.session, layer_id)
        if layer is None or layer.stack_id != stack.id:
            raise ValidationException(f"LayerIds: stack {stack.id} has no layer {layer_id}")
        names.append(layer.shortname)
    return names


def _scaling(params: dict[str, Any]) -> ScalingType | None:
    given = params.get("AutoScalingType")
    return SCALING_IN[given] if given else None


def instance_shape(ctx: Context, stack: Stack, instance: Instance) -> dict[str, Any]:
    kept = opsworks_attributes.get(ctx.session, instance.id)
    layer_ids = {
        layer.shortname: layer.id for layer in layer_store.list_for_stack(ctx.session, stack.id)
    }
    address = address_store.for_instance(ctx.session, instance.id)
    registered = instance.provider == agent_credentials.REGISTERED_PROVIDER
    return shapes.drop_none(
        {
            "Architecture": "x86_64",
            "RootDeviceType": "ebs",
            **kept,
            "InstanceId": instance.id,
            "StackId": stack.id,
            "Arn": shapes.arn(shapes.region(ctx.session, stack.id), "instance", instance.id),
            "Hostname": instance.hostname,
            "LayerIds": [layer_ids[name] for name in instance.layers if name in layer_ids],
            "Status": instance.status.value,
            "AutoScalingType": SCALING_OUT.get(instance.scaling),
            "PrivateIp": instance.private_ip,
            "PrivateDns": instance.hostname,
            "ElasticIp": address.ip if address else None,
            "PublicIp": address.ip if address else None,
            "InfrastructureClass": "on-premises" if registered else "ec2",
            "RegisteredBy": "stackworks agent register" if registered else None,
            "ReportedAgentVersion": __version__ if instance.status.agent_running else None,
            "CreatedAt": shapes.timestamp(instance.created_at),
        }
    )


@operation("CreateInstance")
def create_instance(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"], Level.MANAGE)
    _refuse_ec2_only(params)
    body = shapes.request(
        schemas.InstanceCreate,
        layers=_layer_names(ctx, stack, params["LayerIds"]),
        hostname=params.get("Hostname"),
        scaling=_scaling(params) or ScalingType.ALWAYS,
    )
    provider = ctx.providers[PROVIDER]
    instance = instance_control.create_instance(
        ctx.session,
        stack,
        body,
        provider=PROVIDER,
        allocate_address=provider.allocate_address,
        data_dir=Path(ctx.settings.data_dir),
    )
    kept = shapes.picked(params, KEPT)
    opsworks_attributes.put(ctx.session, "instance", stack.id, instance.id, kept)
    return {"InstanceId": instance.id}


@operation("DescribeInstances")
def describe_instances(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """The instances of StackId, of LayerId, or those InstanceIds name (one of the three)."""
    given = [name for name in ("StackId", "LayerId", "InstanceIds") if params.get(name)]
    if len(given) != 1:
        raise ValidationException(
            "DescribeInstances takes exactly one of StackId, LayerId and InstanceIds"
        )
    if params.get("InstanceIds"):
        found = [ctx.instance(i) for i in params["InstanceIds"]]
        return {"Instances": [instance_shape(ctx, s, i) for s, i in found]}
    if params.get("LayerId"):
        stack, layer = ctx.layer(params["LayerId"])
        instances = [
            i
            for i in instance_store.list_for_stack(ctx.session, stack.id)
            if layer.shortname in i.layers
        ]
    else:
        stack = ctx.stack(params["StackId"])
        instances = instance_store.list_for_stack(ctx.session, stack.id)
    return {"Instances": [instance_shape(ctx, stack, i) for i in instances]}


def _require_stopped(instance: Instance, what: str) -> None:
    if instance.status is not InstanceStatus.STOPPED:
        raise ValidationException(
            f"{what}: instance {instance.hostname} is {instance.status.value}; Stackworks "
            "changes an instance's layers and hostname while it is stopped (StopInstance first)"
        )


@operation("UpdateInstance")
def update_instance(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack, instance = ctx.instance(params["InstanceId"], Level.MANAGE)
    _refuse_ec2_only(params)
    changes: dict[str, Any] = {}
    if params.get("LayerIds") is not None:
        layers = _layer_names(ctx, stack, params["LayerIds"])
        if not layers:
            raise ValidationException("LayerIds: an instance belongs to at least one layer")
        if layers != list(instance.layers):
            _require_stopped(instance, "LayerIds")
            changes["layers"] = layers
    hostname = params.get("Hostname")
    if hostname is not None and hostname != instance.hostname:
        _require_stopped(instance, "Hostname")
        checked = check_hostname(hostname, field="Hostname")
        if checked in instance_store.hostnames(ctx.session, stack.id):
            raise ValidationException(f"Hostname: the stack already has an instance {checked}")
        changes["hostname"] = checked
    scaling = _scaling(params)
    if scaling is not None:
        changes["scaling"] = scaling.value
    if changes:
        instance_store.update_fields(ctx.session, instance.id, **changes)
    before = opsworks_attributes.get(ctx.session, instance.id)
    kept = {**before, **shapes.picked(params, KEPT)}
    opsworks_attributes.put(ctx.session, "instance", stack.id, instance.id, kept)
    return {}


#: lifecycle requests, each OpsWorks' operation on one instance: a deletion releases the
#: instance's volumes and address, as Stackworks always does (DeleteVolumes, DeleteElasticIp
#: change nothing); a stop runs the shutdown recipes within the layer's time-out and then
#: ends the processes either way (Force changes nothing)
LIFECYCLE_REQUESTS = {
    "DeleteInstance": instance_control.delete_instance,
    "StartInstance": instance_control.start_instance,
    "StopInstance": instance_control.stop_instance,
    "RebootInstance": instance_control.reboot_instance,
}


def _lifecycle_request(action: Callable[[Session, Instance], Instance]) -> Handler:
    def handler(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        _stack, instance = ctx.instance(params["InstanceId"], Level.MANAGE)
        action(ctx.session, instance)
        return {}

    return handler


for _name, _action in LIFECYCLE_REQUESTS.items():
    operation(_name)(_lifecycle_request(_action))


@operation("AssignInstance")
def assign_instance(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Add the instance to more layers (OpsWorks: a registered host's first layers). Stackworks
    instances always have a layer, so this adds to the ones it has; it runs their setup when
    the instance next starts."""
    stack, instance = ctx.instance(params["InstanceId"], Level.MANAGE)
    added = [n for n in _layer_names(ctx, stack, params["LayerIds"]) if n not in instance.layers]
    if added:
        _require_stopped(instance, "AssignInstance")
        instance_store.update_fields(ctx.session, instance.id, layers=[*instance.layers, *added])
    return {}


refusal(
    "UnassignInstance",
    "Stackworks instances always belong to at least one layer; to take one out of service "
    "stop it (StopInstance), or move it to other layers with UpdateInstance LayerIds",
)

refusal(
    "RegisterInstance",
    "Stackworks registers a host with `stackworks agent register --url URL --token TOKEN` "
    "on the host (a one-time token from `stackworks instance register-token STACK`), which "
    "also installs its agent and hands it a credential, which RegisterInstance cannot; the "
    "registered instance then answers DescribeInstances like any other",
)


@operation("DeregisterInstance")
def deregister_instance(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Remove a registered host from the stack and revoke its agent's credential; the host
    itself is left alone. Stackworks asks for it to be stopped first (StopInstance)."""
    _stack, instance = ctx.instance(params["InstanceId"], Level.MANAGE)
    if instance.provider != agent_credentials.REGISTERED_PROVIDER:
        raise ValidationException(
            f"instance {instance.hostname} was not registered (it is {instance.provider}'s); "
            "DeleteInstance deletes it"
        )
    _require_stopped(instance, "DeregisterInstance")
    agent_credentials.revoke(ctx.session, instance)
    instance_control.delete_instance(ctx.session, instance)
    return {}


@operation("GetHostnameSuggestion")
def get_hostname_suggestion(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """The hostname CreateInstance would give a new instance of the layer (manage, as in
    OpsWorks: it is the first step of making one)."""
    stack, layer = ctx.layer(params["LayerId"], Level.MANAGE)
    taken = instance_store.hostnames(ctx.session, stack.id)
    return {
        "LayerId": layer.id,
        "Hostname": suggest_hostname(stack.hostname_theme, layer.shortname, taken),
    }
