"""Resources: volumes and their snapshots, addresses (Elastic IPs), registered databases; a
layer's volume configurations and an app's data sources.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _stack_id() -> sa.Column[str]:
    return sa.Column(
        "stack_id",
        sa.String(length=36),
        sa.ForeignKey("stacks.id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    with op.batch_alter_table("layers") as batch:
        batch.add_column(
            sa.Column("volume_configurations", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("apps") as batch:
        batch.add_column(sa.Column("data_sources", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "volumes",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _stack_id(),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mount_point", sa.String(length=255), nullable=True),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("layer_id", sa.String(length=36), nullable=True),
        sa.Column("snapshot_every_hours", sa.Integer(), nullable=False),
        sa.Column("snapshot_keep", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("stack_id", "name"),
    )
    op.create_index("ix_volumes_stack_id", "volumes", ["stack_id"])
    op.create_index("ix_volumes_instance_id", "volumes", ["instance_id"])
    op.create_table(
        "volume_snapshots",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _stack_id(),
        sa.Column("volume_id", sa.String(length=36), nullable=False),
        sa.Column("volume_name", sa.String(length=63), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_volume_snapshots_stack_id", "volume_snapshots", ["stack_id"])
    op.create_index("ix_volume_snapshots_volume", "volume_snapshots", ["volume_id", "created_at"])
    op.create_table(
        "addresses",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _stack_id(),
        sa.Column("ip", sa.String(length=64), nullable=False, unique=True),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("stack_id", "name"),
    )
    op.create_index("ix_addresses_stack_id", "addresses", ["stack_id"])
    op.create_table(
        "registered_databases",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _stack_id(),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("engine", sa.String(length=20), nullable=False),
        sa.Column("host", sa.String(length=253), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("database", sa.String(length=63), nullable=False),
        sa.Column("user", sa.String(length=63), nullable=False),
        sa.Column("password", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("stack_id", "name"),
    )
    op.create_index("ix_registered_databases_stack_id", "registered_databases", ["stack_id"])


def downgrade() -> None:
    op.drop_index("ix_registered_databases_stack_id", table_name="registered_databases")
    op.drop_table("registered_databases")
    op.drop_index("ix_addresses_stack_id", table_name="addresses")
    op.drop_table("addresses")
    op.drop_index("ix_volume_snapshots_volume", table_name="volume_snapshots")
    op.drop_index("ix_volume_snapshots_stack_id", table_name="volume_snapshots")
    op.drop_table("volume_snapshots")
    op.drop_index("ix_volumes_instance_id", table_name="volumes")
    op.drop_index("ix_volumes_stack_id", table_name="volumes")
    op.drop_table("volumes")
    with op.batch_alter_table("apps") as batch:
        batch.drop_column("data_sources")
    with op.batch_alter_table("layers") as batch:
        batch.drop_column("volume_configurations")
