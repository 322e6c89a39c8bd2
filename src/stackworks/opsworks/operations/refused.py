"""The operations whose concept Stackworks does not have, each with what it does instead.

Each answers a ValidationException carrying its reason, so a script that calls one stops with a
message that says where to go, rather than with an UnknownOperationException that would read
as a typo. docs/opsworks-api.md's table gives the same reasons; the coverage test holds the
model's operations, the handlers and this table together.
"""

from __future__ import annotations

from stackworks.opsworks.registry import refusal

_ELB = (
    "Stackworks has no Elastic Load Balancing: a layer of type lb runs HAProxy on an instance "
    "of the stack, and configure re-wires it to the app instances online whenever one comes or "
    "goes; create one with CreateLayer Type lb and give it an instance"
)
_ECS = (
    "Stackworks runs no ECS clusters: its instances are hosts that run the Stackworks agent "
    "(local instances, or hosts joined with `stackworks agent register`); list them with "
    "DescribeInstances, and run containers from a recipe of a custom layer if you need them"
)

#: operation -> why it is refused and what to do instead
REFUSED: dict[str, str] = {
    "AttachElasticLoadBalancer": _ELB,
    "DetachElasticLoadBalancer": _ELB,
    "DescribeElasticLoadBalancers": _ELB,
    "RegisterEcsCluster": _ECS,
    "DeregisterEcsCluster": _ECS,
    "DescribeEcsClusters": _ECS,
    "GrantAccess": (
        "Stackworks instances are Linux hosts, with no Windows RDP to grant: give a user SSH "
        "access instead (CreateUserProfile with SshPublicKey, then SetPermission AllowSsh true)"
    ),
}


for _name, _why in REFUSED.items():
    refusal(_name, f"{_name}: {_why}")
