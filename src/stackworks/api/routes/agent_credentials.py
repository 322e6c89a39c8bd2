"""Instance credentials, for users: registration tokens, rotation, revocation.

What an agent does with them is in routes/agent.py and docs/agent-protocol.md ("Credentials").
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from stackworks.api.deps import Admin, DatabaseDep, stack_named
from stackworks.control import agent_credentials
from stackworks.store import instances as instance_store
from stackworks.wire import presenters, schemas

router = APIRouter(prefix="/stacks/{stack}", tags=["instances"])


@router.post("/registration-tokens", status_code=201)
def create_registration_token(
    stack: str, body: schemas.RegistrationTokenCreate, db: DatabaseDep, admin: Admin
) -> schemas.RegistrationTokenOut:
    """A token that lets one host register with this stack once, before it expires."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        issued = agent_credentials.issue_registration_token(
            session, found, admin.name, timedelta(seconds=body.expires_in)
        )
    return schemas.RegistrationTokenOut(
        stack=found.name, token=issued.token, expires_at=issued.expires_at
    )


@router.post("/instances/{hostname}/rotate-credential")
def rotate_credential(
    stack: str,
    hostname: str,
    body: schemas.CredentialRotate,
    db: DatabaseDep,
    _admin: Admin,
) -> schemas.InstanceOut:
    """The agent takes a new credential on its next heartbeat; the old one ends when it does."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        rotated = agent_credentials.rotate(session, instance, timedelta(seconds=body.grace))
        return presenters.instance_out(found, rotated)


@router.post("/instances/{hostname}/revoke-credential")
def revoke_credential(
    stack: str, hostname: str, db: DatabaseDep, _admin: Admin
) -> schemas.InstanceOut:
    """No credential of the instance is accepted any more; its agent stops at its next call."""
    with db.transaction() as session:
        found = stack_named(session, stack)
        instance = instance_store.get_by_hostname(session, found.id, hostname)
        return presenters.instance_out(found, agent_credentials.revoke(session, instance))
