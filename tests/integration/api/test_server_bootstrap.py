"""`stackworks server`'s first start makes the first server admin and its token file, once."""

from __future__ import annotations

import stat
from pathlib import Path

from stackworks.api.server import prepare
from stackworks.store import tokens


def test_the_first_start_writes_an_admin_token_file_and_later_starts_keep_it(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    db, _settings = prepare(data_dir, "127.0.0.1:8799", None)
    try:
        token_file = data_dir / "admin-token"
        token = token_file.read_text().strip()
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        with db.transaction() as session:
            found = tokens.authenticate(session, token)
        assert not isinstance(found, str)
        assert (found.principal.name, found.principal.is_admin, found.token_name) == (
            "admin",
            True,
            "admin",
        )
    finally:
        db.dispose()
    token_file.unlink()
    again, _ = prepare(data_dir, "127.0.0.1:8799", None)
    again.dispose()
    assert not token_file.exists()  # the server has its admin: nothing new is made
