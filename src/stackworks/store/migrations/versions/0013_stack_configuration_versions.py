"""Stack configuration versions: the sections of a configuration every instance of a stack
shares are stored once per state, and a command names the version it was queued with instead
of carrying them inline (domain.shared_configuration). Commands queued before keep theirs.

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stack_configurations",
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column(
            "stack_id",
            sa.String(36),
            sa.ForeignKey("stacks.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("commands") as batch:
        batch.add_column(sa.Column("configuration_version", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("commands") as batch:
        batch.drop_column("configuration_version")
    op.drop_table("stack_configurations")
