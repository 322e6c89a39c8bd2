"""Users, their tokens, and per-stack permissions; every old API token becomes a user.

The token named N becomes user N holding one token, also named N, with the same hash, so the
token itself keeps working. An admin token's user is a server admin; a deploy token's user has
default level deploy: deploy on every stack without an explicit permission, present and future.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    users = op.create_table(
        "users",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False, unique=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("default_level", sa.String(length=10), nullable=False),
        sa.Column("ssh_username", sa.String(length=32), nullable=True, unique=True),
        sa.Column("ssh_public_key", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    user_tokens = op.create_table(
        "user_tokens",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column(
            "user_id",
            sa.String(length=36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("user_id", "name"),
    )
    op.create_index("ix_user_tokens_user_id", "user_tokens", ["user_id"])
    op.create_table(
        "stack_permissions",
        sa.Column(
            "stack_id",
            sa.String(length=36),
            sa.ForeignKey("stacks.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "user_id",
            sa.String(length=36),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("allow_ssh", sa.Boolean(), nullable=False),
        sa.Column("allow_sudo", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_stack_permissions_user_id", "stack_permissions", ["user_id"])
    _users_from_old_tokens(users, user_tokens)
    op.drop_table("api_tokens")


def _users_from_old_tokens(users: sa.Table, user_tokens: sa.Table) -> None:
    old = sa.table(
        "api_tokens",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("token_hash", sa.String),
        sa.column("role", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(old)).all()
    for row in rows:
        user_id = str(uuid.uuid4())
        connection.execute(
            users.insert().values(
                id=user_id,
                name=row.name,
                is_admin=row.role == "admin",
                default_level="deploy" if row.role == "deploy" else "deny",
                created_at=row.created_at,
            )
        )
        connection.execute(
            user_tokens.insert().values(
                id=row.id,
                user_id=user_id,
                name=row.name,
                token_hash=row.token_hash,
                kind="api",
                created_at=row.created_at,
            )
        )


def downgrade() -> None:
    """Back to one token per name with a role; per-stack permissions and profiles are lost.

    Only admins' and deploy-everywhere users' API tokens survive: the old schema has no way to
    give anyone less, and must not give them more."""
    api_tokens = op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("name", sa.String(length=100), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False, server_default="admin"),
    )
    connection = op.get_bind()
    tokens = sa.table(
        "user_tokens",
        sa.column("id", sa.String),
        sa.column("user_id", sa.String),
        sa.column("name", sa.String),
        sa.column("token_hash", sa.String),
        sa.column("kind", sa.String),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    users = sa.table(
        "users",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("is_admin", sa.Boolean),
        sa.column("default_level", sa.String),
    )
    joined = (
        sa.select(
            tokens.c.id,
            tokens.c.name,
            tokens.c.token_hash,
            tokens.c.created_at,
            users.c.name.label("user_name"),
            users.c.is_admin,
            users.c.default_level,
        )
        .join(users, users.c.id == tokens.c.user_id)
        .where(tokens.c.kind == "api")
    )
    seen: set[str] = set()
    for row in connection.execute(joined).all():
        if not row.is_admin and row.default_level != "deploy":
            continue
        name = row.name if row.name == row.user_name else f"{row.user_name}.{row.name}"
        if name in seen:
            continue
        seen.add(name)
        connection.execute(
            api_tokens.insert().values(
                id=row.id,
                name=name,
                token_hash=row.token_hash,
                created_at=row.created_at,
                role="admin" if row.is_admin else "deploy",
            )
        )
    op.drop_index("ix_stack_permissions_user_id", table_name="stack_permissions")
    op.drop_table("stack_permissions")
    op.drop_index("ix_user_tokens_user_id", table_name="user_tokens")
    op.drop_table("user_tokens")
    op.drop_table("users")
