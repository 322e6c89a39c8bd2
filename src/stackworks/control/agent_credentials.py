"""Agent credentials: registration with a one-time token, rotation, revocation.

A credential names one instance (docs/agent-protocol.md, "Credentials"). Rotation is carried
by the heartbeat: while one is asked for, each heartbeat made with the current credential is
answered with a new one; the agent writes it to its configuration and calls with it, which
confirms it. Revocation removes every credential of the instance: its agent's next call is
refused (401) and the agent stops.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from stackworks.control import instances as instance_control
from stackworks.control import lifecycle
from stackworks.domain.entities import Instance, Stack
from stackworks.domain.errors import Conflict, InvalidInput, Unauthenticated
from stackworks.domain.lifecycle import InstanceEvent
from stackworks.store import agent_credentials as credential_store
from stackworks.store import registration_tokens, tokens
from stackworks.store import stacks as stack_store
from stackworks.store.tables import utcnow
from stackworks.wire import schemas

REGISTERED_PROVIDER = "registered"
#: how long a registration token lives unless asked otherwise, and at most
DEFAULT_TOKEN_LIFETIME = timedelta(hours=1)
MAX_TOKEN_LIFETIME = timedelta(days=7)
#: how long the old credential stays valid when the agent does not confirm a rotation
DEFAULT_ROTATION_GRACE = timedelta(hours=1)


def issue_registration_token(
    session: Session, stack: Stack, created_by: str, lifetime: timedelta
) -> registration_tokens.IssuedToken:
    if lifetime <= timedelta(0) or lifetime > MAX_TOKEN_LIFETIME:
        raise InvalidInput(
            "expires_in: must be more than 0 seconds and at most "
            f"{int(MAX_TOKEN_LIFETIME.total_seconds())} (7 days)",
            field="expires_in",
        )
    return registration_tokens.create(session, stack.id, created_by, utcnow() + lifetime)


def register(
    session: Session, token: str, body: schemas.RegisterRequest
) -> tuple[Stack, Instance, str]:
    """Spend the registration token on a new registered instance; returns its credential, the
    only time it appears in clear. A refusal leaves the token unused and nothing created."""
    used = registration_tokens.redeem(session, token)
    stack = stack_store.get(session, used.stack_id)
    if body.stack is not None and body.stack != stack.name:
        raise Unauthenticated(
            f"this registration token is for stack {stack.name!r}, not {body.stack!r}",
            field="stack",
        )
    instance = instance_control.create_instance(
        session,
        stack,
        schemas.InstanceCreate(layers=body.layers, hostname=body.hostname),
        provider=REGISTERED_PROVIDER,
        allocate_address=lambda _taken: body.private_ip,  # the host brings its own
    )
    credential = tokens.new_secret("swi")
    credential_store.replace(session, instance.id, tokens.hash_token(credential))
    registration_tokens.mark_instance(session, used, instance.id)
    instance = lifecycle.fire(session, instance.id, InstanceEvent.START)
    return stack, instance, credential


def rotate(
    session: Session, instance: Instance, grace: timedelta, now: datetime | None = None
) -> Instance:
    """Ask the instance's agent to take a new credential on its next heartbeat; the current one
    ends when the agent uses the new one, or after `grace` at the latest."""
    if grace < timedelta(0):
        raise InvalidInput("grace: must not be negative", field="grace")
    if not credential_store.has_credential(session, instance.id):
        raise Conflict(
            f"{instance.hostname} has no credential to rotate: it was revoked or never issued "
            "(start the instance, or register the host again)"
        )
    return credential_store.begin_rotation(session, instance.id, (now or utcnow()) + grace)


def deliver_rotation(session: Session, instance: Instance) -> str | None:
    """On a heartbeat: the new credential, when a rotation waits for one. A credential issued
    earlier and never used is replaced: it may never have reached the agent."""
    if instance.credential_rotate_by is None:
        return None
    credential = tokens.new_secret("swi")
    credential_store.set_next(session, instance.id, tokens.hash_token(credential))
    return credential


def revoke(session: Session, instance: Instance) -> Instance:
    """No credential of the instance is accepted any more. A local instance gets a fresh one
    the next time it starts (or auto-healing replaces it); a registered host must register
    again."""
    return credential_store.replace(session, instance.id, None)
