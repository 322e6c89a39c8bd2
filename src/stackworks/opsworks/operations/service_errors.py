"""DescribeServiceErrors: a stack's lifecycle and healing events (`stackworks events --kind
lifecycle`, `--kind healing`), which say what went wrong with its instances and what
auto-healing did about it, where OpsWorks listed its own service errors. A ServiceErrorId is
the event's sequence number."""

from __future__ import annotations

from typing import Any

from stackworks.domain.entities import StackEvent
from stackworks.domain.status import EventKind
from stackworks.opsworks.context import Context, not_found
from stackworks.opsworks.errors import ResourceNotFoundException, ValidationException
from stackworks.opsworks.registry import operation
from stackworks.opsworks.shapes import drop_none, timestamp
from stackworks.store import events as event_store

KINDS = [EventKind.LIFECYCLE, EventKind.HEALING]


def service_error_shape(event: StackEvent) -> dict[str, Any]:
    return drop_none(
        {
            "ServiceErrorId": str(event.seq),
            "StackId": event.stack_id,
            "InstanceId": event.instance_id,
            "Type": event.kind.value,
            "Message": event.message,
            "CreatedAt": timestamp(event.at),
        }
    )


def _event(ctx: Context, error_id: str) -> StackEvent:
    found = event_store.get_by_seq(ctx.session, int(error_id)) if error_id.isdigit() else None
    if found is None or found.kind not in KINDS:
        raise not_found("service error", error_id)
    try:
        ctx.stack(found.stack_id)
    except ResourceNotFoundException:
        raise not_found("service error", error_id) from None
    return found


@operation("DescribeServiceErrors")
def describe_service_errors(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("ServiceErrorIds"):
        found = [_event(ctx, e) for e in params["ServiceErrorIds"]]
    elif params.get("InstanceId"):
        stack, instance = ctx.instance(params["InstanceId"])
        found = [
            e
            for e in event_store.list_for_stack(ctx.session, stack.id, kinds=KINDS)
            if e.instance_id == instance.id
        ]
    elif params.get("StackId"):
        stack = ctx.stack(params["StackId"])
        found = event_store.list_for_stack(ctx.session, stack.id, kinds=KINDS)
    else:
        raise ValidationException(
            "DescribeServiceErrors: give a StackId, InstanceId or ServiceErrorIds"
        )
    return {"ServiceErrors": [service_error_shape(e) for e in found]}
