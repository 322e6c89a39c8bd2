"""Elastic IPs are Stackworks addresses: RegisterElasticIp, DescribeElasticIps,
AssociateElasticIp, DisassociateElasticIp, UpdateElasticIp, DeregisterElasticIp, through the
REST API's address control (docs/resources.md): manage to change, show to read.

Stackworks allocates the address (a loopback address of its own for local instances), so
RegisterElasticIp takes the ElasticIp it is given as the address's name and answers the
address it allocated; every other operation names the address by that allocated IP.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stackworks.control import addresses as address_control
from stackworks.domain.access import Level
from stackworks.domain.entities import Stack
from stackworks.domain.resources import Address
from stackworks.opsworks import shapes
from stackworks.opsworks.context import Context, not_found
from stackworks.opsworks.errors import ResourceNotFoundException, ValidationException
from stackworks.opsworks.operations._lookups import target_instance
from stackworks.opsworks.registry import operation
from stackworks.opsworks.translate import resources as translate
from stackworks.providers import address_claims
from stackworks.store import addresses as address_store

LOCAL_PROVIDER = "local"


def _address(ctx: Context, ip: str, needed: Level = Level.SHOW) -> tuple[Stack, Address]:
    address = address_store.find_by_ip(ctx.session, ip)
    if address is None:
        raise not_found("Elastic IP", ip)
    try:
        return ctx.stack(address.stack_id, needed), address
    except ResourceNotFoundException:
        raise not_found("Elastic IP", ip) from None


@operation("RegisterElasticIp")
def register_elastic_ip(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"], Level.MANAGE)
    name = translate.address_name(params["ElasticIp"])
    allocate = ctx.providers[LOCAL_PROVIDER].allocate_address
    address = address_control.register_address(ctx.session, stack, name, allocate)
    return {"ElasticIp": address.ip}


@operation("DescribeElasticIps")
def describe_elastic_ips(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("Ips"):
        pairs = [_address(ctx, ip) for ip in params["Ips"]]
    elif params.get("InstanceId"):
        stack, instance = ctx.instance(params["InstanceId"])
        found = address_store.for_instance(ctx.session, instance.id)
        pairs = [(stack, found)] if found else []
    elif params.get("StackId"):
        stack = ctx.stack(params["StackId"])
        pairs = [(stack, a) for a in address_store.list_for_stack(ctx.session, stack.id)]
    else:
        raise ValidationException("DescribeElasticIps: give a StackId, InstanceId or Ips")
    return {
        "ElasticIps": [
            translate.elastic_ip_shape(a, shapes.region(ctx.session, s.id)) for s, a in pairs
        ]
    }


@operation("AssociateElasticIp")
def associate_elastic_ip(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Moves the address to the instance (from wherever it was); configure runs on the stack."""
    stack, address = _address(ctx, params["ElasticIp"], Level.MANAGE)
    instance = target_instance(
        ctx, stack, params, owner="Elastic IP's", missing="AssociateElasticIp needs the instance"
    )
    address_control.associate_address(ctx.session, address, instance)
    ctx.wake_agents = True
    return {}


@operation("DisassociateElasticIp")
def disassociate_elastic_ip(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _stack, address = _address(ctx, params["ElasticIp"], Level.MANAGE)
    address_control.disassociate_address(ctx.session, address)
    ctx.wake_agents = True
    return {}


@operation("UpdateElasticIp")
def update_elastic_ip(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _stack, address = _address(ctx, params["ElasticIp"], Level.MANAGE)
    if params.get("Name"):
        address_control.rename_address(ctx.session, address, params["Name"])
    return {}


@operation("DeregisterElasticIp")
def deregister_elastic_ip(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _stack, address = _address(ctx, params["ElasticIp"], Level.MANAGE)
    data_dir = Path(ctx.settings.data_dir)
    address_control.deregister_address(
        ctx.session, address, lambda ip: address_claims.release(ip, data_dir)
    )
    ctx.wake_agents = True
    return {}
