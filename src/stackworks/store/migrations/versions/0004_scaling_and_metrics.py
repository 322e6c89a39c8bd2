"""Time-based schedules, per-layer load-based scaling, and the metrics history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "instance_schedules",
        sa.Column(
            "instance_id",
            sa.String(length=36),
            sa.ForeignKey("instances.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("updated_at", _NOW, nullable=False),
    )
    op.create_table(
        "layer_load_scaling",
        sa.Column(
            "layer_id",
            sa.String(length=36),
            sa.ForeignKey("layers.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "stack_id",
            sa.String(length=36),
            sa.ForeignKey("stacks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("enable", sa.Boolean(), nullable=False),
        sa.Column("up_scaling", sa.JSON(), nullable=False),
        sa.Column("down_scaling", sa.JSON(), nullable=False),
        sa.Column("up_since", _NOW, nullable=True),
        sa.Column("down_since", _NOW, nullable=True),
        sa.Column("last_action_at", _NOW, nullable=True),
        sa.Column("last_action", sa.String(length=10), nullable=True),
        sa.Column("updated_at", _NOW, nullable=False),
    )
    op.create_index("ix_layer_load_scaling_stack_id", "layer_load_scaling", ["stack_id"])
    op.create_index("ix_layer_load_scaling_enable", "layer_load_scaling", ["enable"])
    op.create_table(
        "metric_samples",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "instance_id",
            sa.String(length=36),
            sa.ForeignKey("instances.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", _NOW, nullable=False),
        sa.Column("resolution", sa.String(length=10), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("cpu", sa.Float(), nullable=True),
        sa.Column("memory", sa.Float(), nullable=True),
        sa.Column("disk", sa.Float(), nullable=True),
        sa.Column("load1", sa.Float(), nullable=True),
        sa.Column("load5", sa.Float(), nullable=True),
        sa.Column("load15", sa.Float(), nullable=True),
    )
    op.create_index("ix_metric_samples_instance_at", "metric_samples", ["instance_id", "at"])
    op.create_index("ix_metric_samples_resolution_at", "metric_samples", ["resolution", "at"])


def downgrade() -> None:
    op.drop_index("ix_metric_samples_resolution_at", table_name="metric_samples")
    op.drop_index("ix_metric_samples_instance_at", table_name="metric_samples")
    op.drop_table("metric_samples")
    op.drop_index("ix_layer_load_scaling_enable", table_name="layer_load_scaling")
    op.drop_index("ix_layer_load_scaling_stack_id", table_name="layer_load_scaling")
    op.drop_table("layer_load_scaling")
    op.drop_table("instance_schedules")
