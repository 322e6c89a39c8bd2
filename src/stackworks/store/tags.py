"""Tags on stacks and layers, in the store: key -> value per resource, kept sorted by key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from stackworks.store.tables import ResourceTagRow


def list_for(session: Session, resource_id: str) -> dict[str, str]:
    rows = session.scalars(
        select(ResourceTagRow)
        .where(ResourceTagRow.resource_id == resource_id)
        .order_by(ResourceTagRow.key)
    )
    return {row.key: row.value for row in rows}


def put(
    session: Session,
    stack_id: str,
    resource_id: str,
    tags: Mapping[str, str],
    *,
    layer_id: str | None = None,
) -> dict[str, str]:
    """Add `tags` to the resource (`layer_id` set for a layer's), replacing the values of keys
    it has already; returns all its tags."""
    existing = {
        row.key: row
        for row in session.scalars(
            select(ResourceTagRow).where(ResourceTagRow.resource_id == resource_id)
        )
    }
    for key, value in tags.items():
        row = existing.get(key)
        if row is None:
            session.add(
                ResourceTagRow(
                    resource_id=resource_id,
                    stack_id=stack_id,
                    layer_id=layer_id,
                    key=key,
                    value=value,
                )
            )
        else:
            row.value = value
    session.flush()
    return list_for(session, resource_id)


def remove(session: Session, resource_id: str, keys: Iterable[str]) -> None:
    """Remove the named keys (a key the resource does not have is no error, as in OpsWorks)."""
    session.execute(
        delete(ResourceTagRow).where(
            ResourceTagRow.resource_id == resource_id, ResourceTagRow.key.in_(list(keys))
        )
    )
    session.flush()
