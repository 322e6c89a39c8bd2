"""Stacks: CreateStack, DescribeStacks, UpdateStack, DeleteStack, CloneStack, StartStack,
StopStack, DescribeStackSummary, DescribeStackProvisioningParameters.

A Stack shape is the Stackworks stack (name, custom JSON, hostname theme, cookbook source)
plus what only OpsWorks has (Region, ServiceRoleArn, VpcId, DefaultOs, ...), kept as given in
its OpsWorks attributes. Stackworks stack names are DNS-like; an OpsWorks Name that is not
becomes one (`My Stack` -> `My-Stack`), and the Name as given is what the API returns.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from stackworks.control import catalog, stack_power
from stackworks.domain.access import Level
from stackworks.domain.entities import CookbookSource, Stack
from stackworks.domain.hostnames import LAYER_DEPENDENT
from stackworks.domain.status import CookbookSourceType, InstanceStatus
from stackworks.opsworks import shapes
from stackworks.opsworks.context import Context
from stackworks.opsworks.errors import ValidationException
from stackworks.opsworks.registry import operation
from stackworks.store import apps as app_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import opsworks_attributes
from stackworks.store import permissions as permission_store
from stackworks.store import stacks as stack_store
from stackworks.store.ids import new_id
from stackworks.wire import schemas

#: members of Create/Update/CloneStack kept as given and returned by DescribeStacks
KEPT = (
    "Name",
    "Region",
    "VpcId",
    "Attributes",
    "ServiceRoleArn",
    "DefaultInstanceProfileArn",
    "DefaultOs",
    "DefaultAvailabilityZone",
    "DefaultSubnetId",
    "ConfigurationManager",
    "ChefConfiguration",
    "UseCustomCookbooks",
    "UseOpsworksSecurityGroups",
    "DefaultSshKeyName",
    "DefaultRootDeviceType",
    "AgentVersion",
)
_NOT_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def stackworks_name(ctx: Context, name: str) -> str:
    """A free Stackworks stack name for an OpsWorks Name (itself, when it is one already)."""
    base = _NOT_NAME.sub("-", name).strip("-._")[:56] or "stack"
    candidate, n = base, 1
    while stack_store.find_by_name(ctx.session, candidate) is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


#: OpsWorks' hostname themes that Stackworks has (domain/hostnames.py), by their OpsWorks names
THEMES = {
    "Layer_Dependent": "layer_dependent",
    "Europe_Cities": "european_cities",
    "Fruits": "fruits",
    "Greek_Deities_and_Titans": "greek_deities",
}


def opsworks_theme(theme: str) -> str:
    """Stackworks' theme by its OpsWorks name (`layer_dependent` -> `Layer_Dependent`)."""
    return next((name for name, ours in THEMES.items() if ours == theme), theme)


def stackworks_theme(params: dict[str, Any]) -> str | None:
    theme = params.get("HostnameTheme")
    if theme is None:
        return None
    if theme in THEMES.values():
        return str(theme)
    if theme not in THEMES:
        raise ValidationException(
            f"HostnameTheme: Stackworks has no {theme!r} theme; it has "
            f"{', '.join(THEMES)} (hostnames can also be given to CreateInstance)"
        )
    return THEMES[theme]


def cookbook_sources(params: dict[str, Any]) -> list[schemas.CookbookSourceIn] | None:
    """UseCustomCookbooks and CustomCookbooksSource as Stackworks' cookbook sources (None:
    neither given). Stackworks fetches git sources only, with the server's own credentials."""
    use = params.get("UseCustomCookbooks")
    source = params.get("CustomCookbooksSource")
    if use is None and source is None:
        return None
    if not use or not source:
        return []
    if source.get("Type", "git") != "git":
        raise ValidationException(
            f"CustomCookbooksSource.Type: Stackworks fetches cookbooks from git only, not "
            f"{source.get('Type')!r}; put the cookbooks in a git repository (a local "
            "file:// one works) and give its Url"
        )
    for secret in ("Username", "Password", "SshKey"):
        if source.get(secret):
            raise ValidationException(
                f"CustomCookbooksSource.{secret}: Stackworks fetches cookbooks with the "
                "server's own git credentials (its user's ~/.ssh and git config), not ones "
                "sent with the stack"
            )
    return [
        shapes.request(
            schemas.CookbookSourceIn,
            type=CookbookSourceType.GIT,
            url=str(source.get("Url", "")),
            ref=str(source.get("Revision") or "HEAD"),
        )
    ]


def _source_out(sources: tuple[CookbookSource, ...]) -> dict[str, Any] | None:
    git = next((s for s in sources if s.type is CookbookSourceType.GIT), None)
    if git is None:
        return None
    return {"Type": "git", "Url": git.url, "Revision": git.ref}


def stack_shape(ctx: Context, stack: Stack) -> dict[str, Any]:
    kept = opsworks_attributes.get(ctx.session, stack.id)
    region = str(kept.get("Region") or shapes.DEFAULT_REGION)
    source = _source_out(stack.cookbook_sources)
    return shapes.drop_none(
        {
            **kept,
            "StackId": stack.id,
            "Name": kept.get("Name", stack.name),
            "Arn": shapes.arn(region, "stack", stack.id),
            "Region": region,
            "HostnameTheme": opsworks_theme(stack.hostname_theme),
            "CustomJson": shapes.custom_json_out(stack.custom_json),
            "UseCustomCookbooks": source is not None,
            "CustomCookbooksSource": source,
            "CreatedAt": shapes.timestamp(stack.created_at),
        }
    )


def _kept(params: dict[str, Any], before: dict[str, Any] | None = None) -> dict[str, Any]:
    return {**(before or {}), **shapes.picked(params, KEPT)}


@operation("CreateStack")
def create_stack(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ctx.require_admin("CreateStack")
    name = stackworks_name(ctx, params["Name"])
    ctx.audit_stack = name
    body = shapes.request(
        schemas.StackCreate,
        name=name,
        custom_json=shapes.custom_json_in(params.get("CustomJson")),
        hostname_theme=stackworks_theme(params) or LAYER_DEPENDENT,
        cookbook_sources=cookbook_sources(params) or [],
    )
    stack = catalog.create_stack(ctx.session, body)
    opsworks_attributes.put(ctx.session, "stack", stack.id, stack.id, _kept(params))
    return {"StackId": stack.id}


@operation("DescribeStacks")
def describe_stacks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    ids = params.get("StackIds")
    stacks = [ctx.stack(i) for i in ids] if ids else ctx.visible_stacks()
    return {"Stacks": [stack_shape(ctx, s) for s in stacks]}


@operation("UpdateStack")
def update_stack(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"], Level.MANAGE)
    body = shapes.request(
        schemas.StackUpdate,
        custom_json=shapes.custom_json_given(params),
        hostname_theme=stackworks_theme(params),
        cookbook_sources=cookbook_sources(params),
    )
    catalog.update_stack(ctx.session, stack, body)
    before = opsworks_attributes.get(ctx.session, stack.id)
    opsworks_attributes.put(ctx.session, "stack", stack.id, stack.id, _kept(params, before))
    return {}


@operation("DeleteStack")
def delete_stack(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"], Level.MANAGE)
    catalog.delete_stack(ctx.session, stack)
    return {}


@operation("StartStack")
def start_stack(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """Start every 24/7 instance of the stack (time- and load-based ones keep their own)."""
    stack_power.start_stack(ctx.session, ctx.stack(params["StackId"], Level.MANAGE))
    return {}


@operation("StopStack")
def stop_stack(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack_power.stop_stack(ctx.session, ctx.stack(params["StackId"], Level.MANAGE))
    return {}


def status_key(status: InstanceStatus) -> str:
    """An instance status as InstancesCount names it: running_setup -> RunningSetup."""
    return "".join(part.capitalize() for part in status.value.split("_"))


#: InstancesCount's members; the registered-host ones Stackworks never uses stay 0
COUNTED = (
    "Assigning",
    "Booting",
    "ConnectionLost",
    "Deregistering",
    "Online",
    "Pending",
    "Rebooting",
    "Registered",
    "Registering",
    "Requested",
    "RunningSetup",
    "SetupFailed",
    "ShuttingDown",
    "StartFailed",
    "StopFailed",
    "Stopped",
    "Stopping",
    "Terminated",
    "Terminating",
    "Unassigning",
)


@operation("DescribeStackSummary")
def describe_stack_summary(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack = ctx.stack(params["StackId"])
    counts = dict.fromkeys(COUNTED, 0)
    for instance in instance_store.list_for_stack(ctx.session, stack.id):
        key = status_key(instance.status)
        counts[key] = counts.get(key, 0) + 1
    shape = stack_shape(ctx, stack)
    return {
        "StackSummary": {
            "StackId": stack.id,
            "Name": shape["Name"],
            "Arn": shape["Arn"],
            "LayersCount": len(layer_store.list_for_stack(ctx.session, stack.id)),
            "AppsCount": len(app_store.list_for_stack(ctx.session, stack.id)),
            "InstancesCount": counts,
        }
    }


@operation("DescribeStackProvisioningParameters")
def describe_stack_provisioning_parameters(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """What a host needs to join the stack. Stackworks' agent is `stackworks agent register`
    with a one-time token, not OpsWorks' installer, so the parameters say how to run it."""
    stack = ctx.stack(params["StackId"])
    url = ctx.settings.server_url
    return {
        "AgentInstallerUrl": f"{url}/docs",
        "Parameters": {
            "ServerUrl": url,
            "StackName": stack.name,
            "RegistrationToken": f"stackworks instance register-token {stack.name}",
            "RegisterCommand": (
                f"stackworks agent register --url {url} --token TOKEN (docs/agent-protocol.md)"
            ),
        },
    }


@operation("CloneStack")
def clone_stack(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    """A new stack with the source's settings, layers and (CloneAppIds) apps, and with
    ClonePermissions its users' permissions; what the request gives overrides the source's.
    It stays on this server, so secrets are copied as they are (encrypted), not unset."""
    ctx.require_admin("CloneStack")
    source = ctx.stack(params["SourceStackId"])
    kept_before = opsworks_attributes.get(ctx.session, source.id)
    name = stackworks_name(ctx, params.get("Name") or f"{source.name}-clone")
    copy = stack_store.create(ctx.session, replace(source, id=new_id(), name=name, created_at=None))
    # what the request changes goes through UpdateStack's checks (a secret sent back as its
    # mask keeps the source's value)
    changes = shapes.request(
        schemas.StackUpdate,
        custom_json=shapes.custom_json_given(params),
        hostname_theme=stackworks_theme(params),
        cookbook_sources=cookbook_sources(params),
    )
    clone = catalog.update_stack(ctx.session, copy, changes)
    ctx.audit_stack = clone.name
    kept = _kept(params, {**kept_before, "Name": params.get("Name") or name})
    opsworks_attributes.put(ctx.session, "stack", clone.id, clone.id, kept)
    for layer in layer_store.list_for_stack(ctx.session, source.id):
        copied = layer_store.create(
            ctx.session, replace(layer, id=new_id(), stack_id=clone.id, created_at=None)
        )
        layer_kept = opsworks_attributes.get(ctx.session, layer.id)
        opsworks_attributes.put(ctx.session, "layer", clone.id, copied.id, layer_kept)
    for app_id in params.get("CloneAppIds") or []:
        app = app_store.get_by_id(ctx.session, app_id)
        if app is None or app.stack_id != source.id:
            raise ValidationException(f"CloneAppIds: stack {source.id} has no app {app_id}")
        # registered databases are the source stack's: the copy reads from none until told
        app_store.create(
            ctx.session,
            replace(app, id=new_id(), stack_id=clone.id, data_sources=(), created_at=None),
        )
    if params.get("ClonePermissions"):
        for _user, permission in permission_store.list_for_stack(ctx.session, source.id):
            permission_store.put(ctx.session, replace(permission, stack_id=clone.id))
    return {"StackId": clone.id}
