"""OpsWorks-only attributes: what an OpsWorks request gave a stack, layer, instance or app
that Stackworks has no use for (ServiceRoleArn, DefaultInstanceProfileArn, InstanceType, ...),
kept so that a Describe returns what the Create said. One row per resource, deleted with it.

Secret values (a cookbook source's Password or SshKey) go in `sealed`, encrypted with the
server key, and come back only through `secrets`; `attributes` never holds them.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from sqlalchemy.orm import Session

from stackworks.store import keyring as keyrings
from stackworks.store.tables import OpsWorksAttributesRow, utcnow

Kind = Literal["stack", "layer", "instance", "app"]


def get(session: Session, resource_id: str) -> dict[str, Any]:
    row = session.get(OpsWorksAttributesRow, resource_id)
    return dict(row.attributes or {}) if row else {}


def secrets(session: Session, resource_id: str) -> dict[str, Any]:
    row = session.get(OpsWorksAttributesRow, resource_id)
    if row is None or not row.sealed:
        return {}
    opened: dict[str, Any] = json.loads(keyrings.of(session).open(row.sealed))
    return opened


def put(
    session: Session,
    kind: Kind,
    stack_id: str,
    resource_id: str,
    attributes: dict[str, Any],
    secret_values: dict[str, Any] | None = None,
) -> None:
    """Replace what is kept for the resource; `secret_values` None keeps the sealed ones."""
    row = session.get(OpsWorksAttributesRow, resource_id)
    if row is None:
        row = OpsWorksAttributesRow(resource_id=resource_id, kind=kind, stack_id=stack_id)
        if kind != "stack":
            setattr(row, f"{kind}_id", resource_id)
        session.add(row)
    row.attributes = attributes
    if secret_values is not None:
        row.sealed = keyrings.of(session).seal(json.dumps(secret_values)) if secret_values else None
    row.updated_at = utcnow()
    session.flush()
