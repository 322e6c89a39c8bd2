"""The database fixtures give working, isolated databases and leave nothing behind."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from support import postgres
from support.postgres import PostgresServer, start_server
from support.processes import descendant_pids, is_alive


def test_select_one_runs_on_each_backend(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_each_test_starts_with_an_empty_database(database_url: str) -> None:
    # Runs once per backend; the table created here must not be seen by the next test.
    engine = create_engine(database_url)
    try:
        assert inspect(engine).get_table_names() == []
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE leftover (id INTEGER PRIMARY KEY)"))
        assert inspect(engine).get_table_names() == ["leftover"]
    finally:
        engine.dispose()


def test_database_url_is_a_fresh_database_again(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        assert "leftover" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_postgres_url_is_psycopg_on_loopback(postgres_url: str) -> None:
    url = make_url(postgres_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "127.0.0.1"
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()


def test_dropped_database_is_gone(postgres_server: PostgresServer) -> None:
    name = postgres_server.create_database()
    postgres_server.drop_database(name)
    with postgres_server.connect_admin() as conn:
        rows = conn.execute(b"SELECT datname FROM pg_database").fetchall()
    assert name not in {row[0] for row in rows}


def test_server_runs_as_postgres_user_when_root(postgres_server: PostgresServer) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root must switch to the postgres user")
    assert postgres_server.process is not None
    owner = os.stat(f"/proc/{postgres_server.process.pid}").st_uid
    assert owner == pwd.getpwnam("postgres").pw_uid


def test_stop_ends_every_server_process_and_removes_its_dir(
    postgres_server: PostgresServer,
) -> None:
    # A second, private server: stopping the shared one would break the other tests.
    server = start_server()
    assert server.process is not None
    postmaster = server.process.pid
    root = server.root
    workers = descendant_pids(postmaster)
    assert workers  # checkpointer, walwriter...: each in a session of its own
    server.stop()
    assert not any(is_alive(pid) for pid in [postmaster, *workers])
    assert not Path(root).exists()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host="127.0.0.1", port=server.port, dbname="postgres", connect_timeout=2)


def test_missing_binaries_are_reported_with_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("glob.glob", lambda pattern: [])
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(postgres.PostgresUnavailable, match="apt-get install postgresql"):
        postgres.find_bindir()


def test_missing_server_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set and no server"):
        postgres.skip_or_fail_without_server("no server")


def test_missing_server_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no server"):
        postgres.skip_or_fail_without_server("no server")
