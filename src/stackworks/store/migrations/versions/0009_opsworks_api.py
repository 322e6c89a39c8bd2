"""The OpsWorks API: users' access keys (the secret encrypted with the server key) and the
OpsWorks-only attributes of stacks, layers, instances and apps.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _owner(column: str, table: str, *, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(
        column,
        sa.String(length=36),
        sa.ForeignKey(f"{table}.id", ondelete="CASCADE"),
        nullable=nullable,
        index=True,
    )


def upgrade() -> None:
    op.create_table(
        "access_keys",
        sa.Column("id", sa.String(length=20), primary_key=True),
        _owner("user_id", "users", nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "opsworks_attributes",
        sa.Column("resource_id", sa.String(length=36), primary_key=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        _owner("stack_id", "stacks", nullable=False),
        _owner("layer_id", "layers"),
        _owner("instance_id", "instances"),
        _owner("app_id", "apps"),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("opsworks_attributes")
    op.drop_table("access_keys")
