"""`stackworks server rotate-key` on a data dir, and `export --with-secrets` into a 0600 file."""

from __future__ import annotations

import os
from pathlib import Path

from cli_harness import Invoke
from fake_api import FakeApi

from stackworks.store import data_dir_lock, keyring
from stackworks.store.db import Database, sqlite_url


def _data_dir(path: Path) -> Path:
    ring, _ = keyring.load(path, {})
    db = Database(sqlite_url(path / "stackworks.db"), ring)
    db.upgrade()
    db.dispose()
    return path


def test_rotate_key_makes_a_new_key_and_says_how_many_secrets_it_re_encrypted(
    cli: Invoke, tmp_path: Path
) -> None:
    data_dir = _data_dir(tmp_path)
    before = (data_dir / keyring.KEY_FILE).read_text()
    result = cli("server", "rotate-key", "--data-dir", str(data_dir), env={})
    assert result.exit_code == 0, result.output
    assert "0 secrets re-encrypted" in result.stdout
    after = (data_dir / keyring.KEY_FILE).read_text()
    assert after != before and len(after.split()) == 1


def test_rotate_key_refuses_while_a_server_runs_on_the_data_dir(
    cli: Invoke, tmp_path: Path
) -> None:
    data_dir = _data_dir(tmp_path)
    before = (data_dir / keyring.KEY_FILE).read_text()
    held = data_dir_lock.hold(data_dir, exclusive=False)  # what a running server holds
    try:
        result = cli("server", "rotate-key", "--data-dir", str(data_dir), env={})
    finally:
        os.close(held)
    assert result.exit_code == 2
    assert "a server is running on this data dir; stop it first" in result.stderr
    assert (data_dir / keyring.KEY_FILE).read_text() == before


def test_export_with_secrets_wants_a_file_and_writes_it_mode_0600(
    cli: Invoke, api: FakeApi, tmp_path: Path
) -> None:
    refused = cli("export", "shop", "--with-secrets")
    assert refused.exit_code == 2 and "--output" in refused.stderr
    api.documents["shop"] = {"name": "shop"}
    target = tmp_path / "shop.yaml"
    written = cli("export", "shop", "--with-secrets", "--output", str(target))
    assert written.exit_code == 0, written.output
    assert target.stat().st_mode & 0o777 == 0o600
    assert "name: shop" in target.read_text()
