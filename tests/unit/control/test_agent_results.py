"""A result with the command's last log chunk: stored with the result, as a chunk sent apart
would be (de-duplicated by seq, scrubbed), on a real (SQLite) store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stackworks.control import agents
from stackworks.domain.entities import FILTERED, Command, Instance, Stack
from stackworks.domain.status import CommandName, CommandStatus, InstanceStatus
from stackworks.store import commands as command_store
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store
from stackworks.store.db import Database, sqlite_url
from stackworks.wire.schemas import LogChunk

SECRET_CONFIG = {
    "apps": {"shop": {"environment": {"DB_PASSWORD": "pa55word"}, "secure_keys": ["DB_PASSWORD"]}}
}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(sqlite_url(tmp_path / "db.sqlite"))
    database.upgrade()
    yield database
    database.dispose()


def _queued(db: Database) -> tuple[Instance, str]:
    """An online instance with one pending command whose configuration holds a secret."""
    with db.transaction() as session:
        stack = stack_store.create(session, Stack(id="", name="shop"))
        instance = instance_store.create(
            session,
            Instance(
                id="i-web1",
                stack_id=stack.id,
                hostname="web1",
                layers=("app",),
                status=InstanceStatus.ONLINE,
                provider="registered",
            ),
        )
        command = Command(
            id="c-1",
            stack_id=stack.id,
            instance_id=instance.id,
            type=CommandName.EXECUTE_RECIPES,
            run_list=("web::deploy",),
            configuration=SECRET_CONFIG,
        )
        command_store.add(session, command, timeout=60)
    return instance, command.id


def _complete(db: Database, instance: Instance, command_id: str, log: LogChunk | None) -> None:
    with db.transaction() as session:
        agents.complete(session, instance, command_id, CommandStatus.FAILED, 1, {"ok": False}, log)


def _append_apart(db: Database, instance: Instance, command_id: str, *chunks: str) -> None:
    """Chunks 0, 1, ... of one line each, as `POST .../log` stores them."""
    with db.transaction() as session:
        for seq, line in enumerate(chunks):
            agents.append_log(session, instance, command_id, seq, [line])


def _stored(db: Database, command_id: str) -> tuple[str, str, int | None]:
    with db.transaction() as session:
        row = command_store.row(session, command_id)
        return row.log, row.status, row.exit_code


def test_the_last_chunk_is_stored_after_the_earlier_ones_with_the_result(db: Database) -> None:
    instance, command_id = _queued(db)
    _append_apart(db, instance, command_id, "first")
    _complete(db, instance, command_id, LogChunk(seq=1, lines=["last", "very last"]))
    assert _stored(db, command_id) == ("first\nlast\nvery last\n", "failed", 1)


def test_a_resent_result_with_its_chunk_does_not_double_the_lines(db: Database) -> None:
    instance, command_id = _queued(db)
    for _ in range(2):
        _complete(db, instance, command_id, LogChunk(seq=0, lines=["only"]))
    assert _stored(db, command_id) == ("only\n", "failed", 1)


def test_a_chunk_whose_seq_was_stored_apart_is_not_stored_again(db: Database) -> None:
    instance, command_id = _queued(db)
    _append_apart(db, instance, command_id, "a", "b")
    _complete(db, instance, command_id, LogChunk(seq=1, lines=["b"]))
    assert _stored(db, command_id) == ("a\nb\n", "failed", 1)


def test_the_chunk_of_a_result_is_scrubbed_as_a_chunk_sent_apart(db: Database) -> None:
    instance, command_id = _queued(db)
    _append_apart(db, instance, command_id, "apart pa55word")
    _complete(db, instance, command_id, LogChunk(seq=1, lines=["with the result pa55word"]))
    log, _, _ = _stored(db, command_id)
    assert log == f"apart {FILTERED}\nwith the result {FILTERED}\n"


def test_a_late_chunk_of_a_finished_command_is_kept_but_the_result_is_not_changed(
    db: Database,
) -> None:
    instance, command_id = _queued(db)
    _complete(db, instance, command_id, None)
    with db.transaction() as session:
        agents.complete(
            session,
            instance,
            command_id,
            CommandStatus.SUCCESSFUL,
            0,
            {},
            LogChunk(seq=0, lines=["x"]),
        )
    assert _stored(db, command_id) == ("x\n", "failed", 1)
