"""Tags on stacks and layers (OpsWorks' TagResource, UntagResource, ListTags).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resource_tags",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("resource_id", sa.String(length=36), nullable=False, index=True),
        sa.Column(
            "stack_id",
            sa.String(length=36),
            sa.ForeignKey("stacks.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "layer_id",
            sa.String(length=36),
            sa.ForeignKey("layers.id", ondelete="CASCADE"),
            nullable=True,
            index=True,
        ),
        sa.Column("key", sa.String(length=127), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.UniqueConstraint("resource_id", "key"),
    )


def downgrade() -> None:
    op.drop_table("resource_tags")
