"""Deployments in the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from stackworks.domain.entities import Deployment
from stackworks.domain.errors import NotFound
from stackworks.domain.status import CommandName, CommandStatus, DeploymentStatus
from stackworks.store.tables import CommandRow, DeploymentRow


def to_entity(row: DeploymentRow) -> Deployment:
    return Deployment(
        id=row.id,
        stack_id=row.stack_id,
        command=CommandName(row.command),
        status=DeploymentStatus(row.status),
        app_id=row.app_id,
        revision=row.revision,
        args=dict(row.args or {}),
        custom_json=dict(row.custom_json or {}),
        comment=row.comment,
        created_by=row.created_by,
        instance_ids=tuple(row.instance_ids or ()),
        created_at=row.created_at,
        completed_at=row.completed_at,
        plan=tuple(row.plan or ()),
        step=row.step,
    )


def add(session: Session, deployment: Deployment) -> Deployment:
    row = DeploymentRow(
        id=deployment.id,
        stack_id=deployment.stack_id,
        app_id=deployment.app_id,
        revision=deployment.revision,
        command=deployment.command.value,
        args=deployment.args,
        custom_json=deployment.custom_json,
        comment=deployment.comment,
        created_by=deployment.created_by,
        status=deployment.status.value,
        instance_ids=list(deployment.instance_ids),
        plan=list(deployment.plan),
        step=deployment.step,
    )
    session.add(row)
    session.flush()
    return to_entity(row)


def get(session: Session, stack_id: str, deployment_id: str) -> Deployment:
    row = session.get(DeploymentRow, deployment_id)
    if row is None or row.stack_id != stack_id:
        raise NotFound("deployment", deployment_id)
    return to_entity(row)


def get_any(session: Session, deployment_id: str, *, lock: bool = False) -> Deployment | None:
    """The deployment, fresh from the database; `lock` holds its row until the transaction ends
    (PostgreSQL: two results settling one deployment on two replicas take turns)."""
    query = select(DeploymentRow).where(DeploymentRow.id == deployment_id)
    if lock:
        query = query.with_for_update()
    row = session.scalar(query.execution_options(populate_existing=True))
    return to_entity(row) if row else None


def running_with_nothing_pending(session: Session) -> list[str]:
    """The running deployments none of whose commands (of the current step, when rolling) is
    pending: what a settle should have moved on (`control.deployments.settle_overlooked`)."""
    pending = (
        select(CommandRow.id)
        .where(
            CommandRow.deployment_id == DeploymentRow.id,
            CommandRow.status == CommandStatus.PENDING.value,
            or_(
                CommandRow.deployment_step.is_(None),
                CommandRow.deployment_step == DeploymentRow.step,
            ),
        )
        .exists()
    )
    query = select(DeploymentRow.id).where(
        DeploymentRow.status == DeploymentStatus.RUNNING.value, ~pending
    )
    return list(session.scalars(query.order_by(DeploymentRow.created_at)))


def list_for_stack(
    session: Session, stack_id: str, *, limit: int | None = None
) -> list[Deployment]:
    """The stack's deployments, newest first (the newest `limit` of them, if given)."""
    query = (
        select(DeploymentRow)
        .where(DeploymentRow.stack_id == stack_id)
        .order_by(DeploymentRow.created_at.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [to_entity(r) for r in session.scalars(query)]


def finish(session: Session, deployment_id: str, status: DeploymentStatus, at: datetime) -> None:
    row = session.get(DeploymentRow, deployment_id)
    if row is not None and row.status == DeploymentStatus.RUNNING.value:
        row.status = status.value
        row.completed_at = at
        session.flush()


def set_plan(session: Session, deployment_id: str, plan: list[Any], step: int) -> None:
    row = session.get(DeploymentRow, deployment_id)
    if row is not None:
        row.plan = plan
        row.step = step
        session.flush()
