"""The migrations build the indexes the store's tables declare: an index declared on a table
without its migration (or a migration's index the tables no longer declare) is caught here, on
both backends, before a deployed database goes without it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from stackworks.store.db import Database
from stackworks.store.tables import Base


def _index_differences(database_url: str) -> list[object]:
    db = Database(database_url)
    try:
        db.upgrade()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        db.dispose()
    return [d for d in differences if isinstance(d, tuple) and "index" in str(d[0])]


def test_the_migrated_schema_has_every_index_the_tables_declare(database_url: str) -> None:
    assert _index_differences(database_url) == []
