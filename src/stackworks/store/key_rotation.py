"""Rotating the server key: every stored secret re-encrypted with a new key, nothing lost.

The steps, each safe to be interrupted after:
1. the key file gets the new key in front of the old ones (one atomic rename);
2. one transaction re-encrypts every secret with the new key (all or nothing);
3. the key file keeps only the new key (one atomic rename).
Interrupted after 1 or 2, the file still holds every key any stored secret needs, and running
`rotate-key` again resumes: a key file with more than one key means a rotation to its first
key was under way, so it re-encrypts to that key instead of making another.

Keys given by the environment (`STACKWORKS_SECRET_KEY`) cannot be rewritten from here: put the
new key first in the variable (`new,old`), rotate, then drop the old one from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from stackworks.store import keyring as keyrings
from stackworks.store import sealing
from stackworks.store.db import Database


@dataclass(frozen=True)
class RotationReport:
    secrets: int  # how many stored secrets were re-encrypted
    source: str  # the key file, or the environment variable
    resumed: bool  # an interrupted rotation was finished
    keys_left: int  # keys the source still holds (the environment keeps the old ones)


def rotate_server_key(
    data_dir: Path, database_url: str, environ: Mapping[str, str]
) -> RotationReport:
    given = keyrings.from_environment(environ)
    if given is not None:
        if len(given.keys) < 2:
            raise keyrings.SecretKeyError(
                f"{keyrings.ENV_KEY}: holds one key; to rotate, put a new key first and the "
                "old one after it (NEW,OLD), then run rotate-key again"
            )
        count = _reencrypt(database_url, given)
        return RotationReport(count, keyrings.ENV_KEY, resumed=False, keys_left=len(given.keys))
    path = keyrings.key_file(data_dir)
    current = keyrings.read_file(path)
    resumed = len(current.keys) > 1
    rotating = current if resumed else current.with_new_key()
    if not resumed:
        keyrings.write_file(path, rotating)
    count = _reencrypt(database_url, rotating)
    keyrings.write_file(path, rotating.only_first())
    return RotationReport(count, str(path), resumed=resumed, keys_left=1)


def _reencrypt(database_url: str, keyring: keyrings.Keyring) -> int:
    db = Database(database_url, keyring)
    try:
        db.upgrade()
        with db.transaction() as session:
            sealing.seal_clear_values(session)
            return sealing.rotate(session, keyring)
    finally:
        db.dispose()
