"""SSH instances: each one's target, its private key sealed with the server key, and the host
key pinned at its first connection; a layer's default key for its new ssh instances
(docs/providers.md).

Revision ID: 0011
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instance_ssh_hosts",
        sa.Column(
            "instance_id",
            sa.String(length=36),
            sa.ForeignKey("instances.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("key_sealed", sa.Text(), nullable=False),
        sa.Column("host_key", sa.String(length=100), nullable=True),
        sa.Column("host_key_pinned_at", sa.DateTime(timezone=True), nullable=True),
    )

    op.create_table(
        "layer_ssh_defaults",
        sa.Column(
            "layer_id",
            sa.String(length=36),
            sa.ForeignKey("layers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key_sealed", sa.Text(), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("layer_ssh_defaults")
    op.drop_table("instance_ssh_hosts")
