"""Secrets encrypted at rest: a registered database's password and a command's secrets get
columns of their own for their encrypted form. Values stored in clear before this revision are
encrypted when the server starts (`store.sealing.seal_clear_values`), which needs the server
key that migrations do not have.

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("registered_databases") as batch:
        batch.add_column(sa.Column("password_sealed", sa.Text(), nullable=True))
    with op.batch_alter_table("commands") as batch:
        batch.add_column(sa.Column("sealed_secrets", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("commands") as batch:
        batch.drop_column("sealed_secrets")
    with op.batch_alter_table("registered_databases") as batch:
        batch.drop_column("password_sealed")
