"""Stack events; heartbeat settings per stack; an instance's scaling type, status reason,
healing back-off, and the provider effect its last transition recorded.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stacks") as batch:
        batch.add_column(sa.Column("heartbeat_interval", sa.Float(), nullable=True))
        batch.add_column(sa.Column("heartbeat_timeout", sa.Float(), nullable=True))
    with op.batch_alter_table("instances") as batch:
        batch.add_column(
            sa.Column("scaling", sa.String(length=10), nullable=False, server_default="24/7")
        )
        batch.add_column(sa.Column("status_reason", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("heal_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("heal_not_before", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("pending_effect", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("effect_seq", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_instances_pending_effect", ["pending_effect"])
    op.create_table(
        "stack_events",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "stack_id",
            sa.String(length=36),
            sa.ForeignKey("stacks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("hostname", sa.String(length=63), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_stack_events_stack_seq", "stack_events", ["stack_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_stack_events_stack_seq", table_name="stack_events")
    op.drop_table("stack_events")
    with op.batch_alter_table("instances") as batch:
        batch.drop_index("ix_instances_pending_effect")
        batch.drop_column("effect_seq")
        batch.drop_column("pending_effect")
        batch.drop_column("heal_not_before")
        batch.drop_column("heal_failures")
        batch.drop_column("status_reason")
        batch.drop_column("scaling")
    with op.batch_alter_table("stacks") as batch:
        batch.drop_column("heartbeat_timeout")
        batch.drop_column("heartbeat_interval")
