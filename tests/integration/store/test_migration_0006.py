"""Migration 0006 on both backends: every old API token becomes a user and keeps working."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from stackworks.domain.access import Level
from stackworks.store import tokens, users
from stackworks.store.db import MIGRATIONS_DIR, Database


def migrate(db: Database, revision: str, *, down: bool = False) -> None:
    with db.engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def add_old_token(db: Database, name: str, secret: str, role: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO api_tokens (id, name, token_hash, role, created_at) "
                "VALUES (:id, :name, :hash, :role, :at)"
            ),
            {
                "id": f"id-{name}",
                "name": name,
                "hash": tokens.hash_token(secret),
                "role": role,
                "at": datetime(2026, 1, 1, tzinfo=UTC),
            },
        )


def test_old_admin_and_deploy_tokens_become_users_and_still_authenticate(
    database_url: str,
) -> None:
    db = Database(database_url)
    try:
        migrate(db, "0005")
        add_old_token(db, "admin", "swk_old-admin", "admin")
        add_old_token(db, "ci", "swk_old-ci", "deploy")
        db.upgrade()
        with db.transaction() as session:
            admin = tokens.authenticate(session, "swk_old-admin")
            ci = tokens.authenticate(session, "swk_old-ci")
            assert not isinstance(admin, str) and not isinstance(ci, str)
            assert (admin.principal.name, admin.principal.is_admin) == ("admin", True)
            assert (ci.principal.name, ci.principal.is_admin) == ("ci", False)
            assert ci.principal.default_level is Level.DEPLOY
            assert users.get_by_name(session, "admin").default_level is Level.DENY
            assert [t.name for t in tokens.list_for_user(session, ci.principal.user_id)] == ["ci"]
    finally:
        db.dispose()


def test_downgrading_keeps_admin_and_deploy_tokens_and_drops_the_rest(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.upgrade()
        with db.transaction() as session:
            admin = users.create(session, "admin", is_admin=True)
            ci = users.create(session, "ci", default_level=Level.DEPLOY)
            viewer = users.create(session, "viewer")
            for user in (admin, ci, viewer):
                tokens.create(session, user.id, user.name)
        migrate(db, "0005", down=True)
        with db.engine.begin() as connection:
            rows = connection.execute(sa.text("SELECT name, role FROM api_tokens ORDER BY name"))
            assert [tuple(row) for row in rows] == [("admin", "admin"), ("ci", "deploy")]
    finally:
        db.dispose()
