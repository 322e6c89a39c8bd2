"""What a handler gets besides its parameters: the transaction, the caller, and the checks.

The access checks are the REST API's (`control.permissions.decide_on_stack` over
`store.permissions.held_by`), answered the OpsWorks way: below show on a stack, the stack (and
everything in it) is ResourceNotFound, exactly as an unknown one; below the level the operation
needs, AccessDenied. Each finder names, in its refusal, what OpsWorks' would ("Unable to find
stack with ID ..."), and notes the stack for the audit record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from stackworks.control.permissions import decide_on_stack, visible_stacks
from stackworks.control.settings import Settings
from stackworks.domain.access import Level, Principal, Refusal, decide_admin
from stackworks.domain.entities import App, Instance, Layer, Stack
from stackworks.domain.errors import NotFound
from stackworks.opsworks.errors import AccessDeniedException, ResourceNotFoundException
from stackworks.store import apps as app_store
from stackworks.store import instances as instance_store
from stackworks.store import layers as layer_store
from stackworks.store import stacks as stack_store


def not_found(kind: str, resource_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"Unable to find {kind} with ID {resource_id}")


@dataclass
class Context:
    """One OpsWorks call: its session (one transaction), its caller and the server's parts."""

    session: Session
    principal: Principal
    settings: Settings
    providers: Mapping[str, Any]
    access_key_id: str = ""
    #: the stack the call turned out to be about (its name), for the audit record
    audit_stack: str | None = None
    #: set by handlers that may have queued commands, so the wire wakes the agents' long polls
    wake_agents: bool = False

    # --- access ---------------------------------------------------------------------------

    def require_admin(self, what: str) -> None:
        """Refuse unless the caller is a server admin (OpsWorks' "an attached policy")."""
        decision = decide_admin(self.principal)
        if not decision.allowed:
            raise AccessDeniedException(f"{what}: {decision.message}")

    def check_stack(self, stack: Stack | None, stack_id: str, needed: Level) -> Stack:
        """`stack` (looked up by `stack_id`; None: unknown) if the caller holds `needed` there."""
        shown = stack.name if stack else stack_id
        decision = decide_on_stack(self.session, self.principal, stack, shown, needed)
        if stack is None or decision.refusal is Refusal.HIDDEN:
            raise not_found("stack", stack_id)
        self.audit_stack = stack.name
        if not decision.allowed:
            raise AccessDeniedException(decision.message)
        return stack

    # --- finders --------------------------------------------------------------------------

    def stack(self, stack_id: str, needed: Level = Level.SHOW) -> Stack:
        """The stack with OpsWorks id `stack_id` (Stackworks' own id: both are UUIDs)."""
        try:
            found: Stack | None = stack_store.get(self.session, stack_id)
        except NotFound:
            found = None
        return self.check_stack(found, stack_id, needed)

    def visible_stacks(self) -> list[Stack]:
        return visible_stacks(self.session, self.principal, stack_store.list_all(self.session))

    def layer(self, layer_id: str, needed: Level = Level.SHOW) -> tuple[Stack, Layer]:
        layer = layer_store.find_by_id(self.session, layer_id)
        if layer is None:
            raise not_found("layer", layer_id)
        return self._in_stack(layer.stack_id, "layer", layer_id, needed), layer

    def instance(self, instance_id: str, needed: Level = Level.SHOW) -> tuple[Stack, Instance]:
        try:
            instance = instance_store.get(self.session, instance_id)
        except NotFound:
            raise not_found("instance", instance_id) from None
        return self._in_stack(instance.stack_id, "instance", instance_id, needed), instance

    def app(self, app_id: str, needed: Level = Level.SHOW) -> tuple[Stack, App]:
        app = app_store.get_by_id(self.session, app_id)
        if app is None:
            raise not_found("app", app_id)
        return self._in_stack(app.stack_id, "app", app_id, needed), app

    def _in_stack(self, stack_id: str, kind: str, resource_id: str, needed: Level) -> Stack:
        """The stack a resource is in; a hidden stack hides the resource as unknown too."""
        try:
            return self.stack(stack_id, needed)
        except ResourceNotFoundException:
            raise not_found(kind, resource_id) from None
