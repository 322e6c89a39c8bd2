"""Tags on stacks and layers: TagResource, UntagResource (manage on the stack) and ListTags
(show), kept in the store's `resource_tags` and deleted with what they tag."""

from __future__ import annotations

from typing import Any

from stackworks.domain.access import Level
from stackworks.opsworks.context import Context
from stackworks.opsworks.registry import operation
from stackworks.opsworks.translate import tags as translate
from stackworks.store import tags as tag_store


def _resource(ctx: Context, arn: str, needed: Level) -> tuple[str, str, str | None]:
    """(stack id, resource id, layer id or None) of the tagged stack or layer."""
    resource = translate.resource_of(arn)
    if resource.kind == "stack":
        stack = ctx.stack(resource.id, needed)
        return stack.id, stack.id, None
    stack, layer = ctx.layer(resource.id, needed)
    return stack.id, layer.id, layer.id


@operation("TagResource")
def tag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    stack_id, resource_id, layer_id = _resource(ctx, params["ResourceArn"], Level.MANAGE)
    held = tag_store.list_for(ctx.session, resource_id)
    tags = translate.tags_in(params["Tags"], held)
    tag_store.put(ctx.session, stack_id, resource_id, tags, layer_id=layer_id)
    return {}


@operation("UntagResource")
def untag_resource(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _stack_id, resource_id, _layer_id = _resource(ctx, params["ResourceArn"], Level.MANAGE)
    tag_store.remove(ctx.session, resource_id, params["TagKeys"])
    return {}


@operation("ListTags")
def list_tags(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _stack_id, resource_id, _layer_id = _resource(ctx, params["ResourceArn"], Level.SHOW)
    held = tag_store.list_for(ctx.session, resource_id)
    return translate.page(held, params.get("MaxResults"), params.get("NextToken"))
