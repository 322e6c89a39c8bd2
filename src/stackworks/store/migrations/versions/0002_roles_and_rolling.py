"""Token roles; rolling deployment plans and deployed revisions; what a configure is about.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("role", sa.String(length=20), nullable=False, server_default="admin")
        )
    with op.batch_alter_table("deployments") as batch:
        batch.add_column(sa.Column("plan", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("step", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("revision", sa.String(length=200), nullable=True))
    with op.batch_alter_table("commands") as batch:
        batch.add_column(sa.Column("deployment_step", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("subject_id", sa.String(length=36), nullable=True))
        batch.create_index("ix_commands_subject_id", ["subject_id"])


def downgrade() -> None:
    with op.batch_alter_table("commands") as batch:
        batch.drop_index("ix_commands_subject_id")
        batch.drop_column("subject_id")
        batch.drop_column("deployment_step")
    with op.batch_alter_table("deployments") as batch:
        batch.drop_column("revision")
        batch.drop_column("step")
        batch.drop_column("plan")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("role")
