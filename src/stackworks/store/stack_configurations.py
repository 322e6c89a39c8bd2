"""Stack configuration versions in the store: the shared sections of a stack's configuration,
once per state, under their digest (domain.shared_configuration).

A version is immutable: the same state always has the same digest, so saving one that exists
changes nothing. Old versions are pruned as new ones come, except those a pending command
still names, so an agent never asks for a version that is gone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stackworks.domain.errors import NotFound
from stackworks.domain.status import CommandStatus
from stackworks.store.tables import CommandRow, StackConfigurationRow

JSON = dict[str, Any]

#: versions of a stack kept besides those pending commands name: commands of the history
#: (`stackworks command list`) show their shared sections from these
KEEP = 20
_SAVED = "stackworks.saved_configuration_versions"  # session.info: versions known in this session


def save(session: Session, stack_id: str, version: str, shared: JSON) -> str:
    """Store `shared` as `version` of the stack unless it is stored already; returns it."""
    known: set[str] = session.info.setdefault(_SAVED, set())
    if version in known:
        return version
    if session.get(StackConfigurationRow, version) is None:
        try:
            with session.begin_nested():  # another transaction may be saving the same state
                session.add(StackConfigurationRow(version=version, stack_id=stack_id, body=shared))
        except IntegrityError:
            pass  # it did: the version is the same content
        else:
            _prune(session, stack_id, version)
    known.add(version)
    return version


def get(session: Session, stack_id: str, version: str) -> JSON:
    """The shared sections of `version`, which must be the stack's: another stack's version is
    as unknown as a missing one."""
    found = session.get(StackConfigurationRow, version)
    if found is None or found.stack_id != stack_id:
        raise NotFound("stack configuration", version)
    return dict(found.body)


def stack_of(session: Session, version: str) -> str | None:
    """The stack a version is of (None: no such version), without loading its body."""
    return session.scalar(
        select(StackConfigurationRow.stack_id).where(StackConfigurationRow.version == version)
    )


def bodies(session: Session, versions: Iterable[str]) -> dict[str, JSON]:
    """The shared sections of each of `versions` still stored, by version."""
    wanted = sorted(set(versions))
    if not wanted:
        return {}
    rows = session.scalars(
        select(StackConfigurationRow).where(StackConfigurationRow.version.in_(wanted))
    )
    return {row.version: dict(row.body) for row in rows}


def _prune(session: Session, stack_id: str, newest: str) -> None:
    """Drop the stack's versions beyond the KEEP newest that no pending command names."""
    rows = session.execute(
        select(StackConfigurationRow.version)
        .where(StackConfigurationRow.stack_id == stack_id)
        .order_by(StackConfigurationRow.created_at.desc(), StackConfigurationRow.version)
    ).all()
    old = [version for (version,) in rows[KEEP:] if version != newest]
    if not old:
        return
    named = set(
        session.scalars(
            select(CommandRow.configuration_version).where(
                CommandRow.stack_id == stack_id,
                CommandRow.status == CommandStatus.PENDING.value,
                CommandRow.configuration_version.in_(old),
            )
        )
    )
    gone = [version for version in old if version not in named]
    if gone:
        session.execute(
            delete(StackConfigurationRow).where(StackConfigurationRow.version.in_(gone))
        )
