"""/stacks/{name}/document: a whole stack in one document (apply and export)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request

from stackworks.api.deps import Admin, DatabaseDep, SettingsDep, User, stack_named
from stackworks.api.routes.instances import DEFAULT_PROVIDER
from stackworks.api.secret_access import require_secret_access
from stackworks.control import documents
from stackworks.domain.errors import InvalidInput
from stackworks.wire import schemas

router = APIRouter(prefix="/stacks/{stack}/document", tags=["documents"])


@router.get("")
def export_stack(
    stack: str, db: DatabaseDep, user: User, with_secrets: bool = False
) -> schemas.StackDocument:
    """The stack as a document; secure values FILTERED unless `with_secrets` (server admin)."""
    if with_secrets:
        require_secret_access(user, [stack])
    with db.transaction() as session:
        return documents.export_document(
            session, stack_named(session, stack), with_secrets=with_secrets
        )


@router.put("")
def apply_stack(
    stack: str,
    body: schemas.StackDocument,
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    _admin: Admin,
) -> schemas.ApplyResult:
    if body.name != stack:
        raise InvalidInput(
            f"name: the document names stack {body.name!r}, the path {stack!r}", field="name"
        )
    provider = request.app.state.providers[DEFAULT_PROVIDER]
    with db.transaction() as session:
        return documents.apply_document(
            session,
            body,
            provider=DEFAULT_PROVIDER,
            allocate_address=provider.allocate_address,
            data_dir=Path(settings.data_dir),
        )
