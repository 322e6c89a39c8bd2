"""Agents and audit: one-time registration tokens, credential rotation, the audit log.

Revision ID: 0007
Revises: 0005
Create Date: 2027-01-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instances") as batch:
        batch.add_column(sa.Column("next_credential_hash", sa.String(length=64), nullable=True))
        batch.add_column(
            sa.Column("credential_rotate_by", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_index(
            "ix_instances_next_credential_hash", ["next_credential_hash"], unique=False
        )
    op.create_table(
        "registration_tokens",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "stack_id",
            sa.String(length=36),
            sa.ForeignKey("stacks.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
    )
    op.create_index("ix_registration_tokens_stack_id", "registration_tokens", ["stack_id"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=True),
        sa.Column("stack", sa.String(length=63), nullable=True),
        sa.Column("action", sa.String(length=300), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_index("ix_audit_log_stack_seq", "audit_log", ["stack", "seq"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_stack_seq", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("ix_registration_tokens_stack_id", table_name="registration_tokens")
    op.drop_table("registration_tokens")
    with op.batch_alter_table("instances") as batch:
        batch.drop_index("ix_instances_next_credential_hash")
        batch.drop_column("credential_rotate_by")
        batch.drop_column("next_credential_hash")
