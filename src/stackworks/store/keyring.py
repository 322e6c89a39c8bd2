"""The server key: what the store encrypts secrets with (Fernet: AES-128-CBC with HMAC-SHA256).

The keys come from the environment (`STACKWORKS_SECRET_KEY`, comma-separated) or from a file
`server.key` in the data dir, one key a line, made on first start with mode 0600 and refused
if its mode lets anyone else read it. The first key encrypts; every key decrypts, which is what
lets a rotation re-encrypt everything while the old key still reads what it has not reached.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy.orm import Session

KEY_FILE = "server.key"
ENV_KEY = "STACKWORKS_SECRET_KEY"
SESSION_KEY = "keyring"  # where a session of the `Database` finds its keyring (Session.info)


class SecretKeyError(Exception):
    """The server key is missing, malformed, too readable, or does not open a secret."""


class Keyring:
    """The server's keys: the first encrypts, all decrypt."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise SecretKeyError("no server key given")
        try:
            self._fernets = [Fernet(key) for key in keys]
        except ValueError:
            raise SecretKeyError(
                "a server key must be 32 url-safe base64-encoded bytes (Fernet.generate_key)"
            ) from None
        self.keys = tuple(keys)
        self._multi = MultiFernet(self._fernets)

    @classmethod
    def generate(cls) -> Keyring:
        return cls([Fernet.generate_key()])

    def seal(self, text: str) -> str:
        return self._multi.encrypt(text.encode()).decode("ascii")

    def open(self, token: str) -> str:
        try:
            return self._multi.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise SecretKeyError(
                "a stored secret does not open with the server key (a wrong or missing key?)"
            ) from None

    def rotate(self, token: str) -> str:
        """The same secret, encrypted with the first key."""
        try:
            return self._multi.rotate(token.encode("ascii")).decode("ascii")
        except InvalidToken:
            raise SecretKeyError("a stored secret does not open with any server key") from None

    def only_first(self) -> Keyring:
        return Keyring(self.keys[:1])

    def with_new_key(self) -> Keyring:
        """A new first key in front of these."""
        return Keyring([Fernet.generate_key(), *self.keys])


def of(session: Session) -> Keyring:
    """The keyring of the database the session belongs to."""
    keyring = session.info.get(SESSION_KEY)
    if not isinstance(keyring, Keyring):
        raise SecretKeyError("this database session has no server key")
    return keyring


def parse_keys(text: str, where: str) -> list[bytes]:
    keys = [part.strip().encode("ascii") for part in text.replace(",", "\n").splitlines()]
    keys = [k for k in keys if k]
    if not keys:
        raise SecretKeyError(f"{where}: holds no key")
    return keys


def key_file(data_dir: Path) -> Path:
    return data_dir / KEY_FILE


def from_environment(environ: Mapping[str, str]) -> Keyring | None:
    text = environ.get(ENV_KEY, "")
    if not text.strip():
        return None
    try:
        return Keyring(parse_keys(text, ENV_KEY))
    except SecretKeyError as error:
        raise SecretKeyError(f"{ENV_KEY}: {error}") from None


def read_file(path: Path) -> Keyring:
    """The keys of a key file that only its owner can read."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SecretKeyError(f"{path}: no server key file") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretKeyError(
            f"{path}: mode {stat.S_IMODE(mode):04o} lets others read the server key; "
            f"run `chmod 600 {path}`"
        )
    try:
        return Keyring(parse_keys(path.read_text(), str(path)))
    except SecretKeyError as error:
        raise SecretKeyError(f"{path}: {error}") from None


def write_file(path: Path, keyring: Keyring) -> None:
    """Replace the key file at once (a new file, mode 0600, renamed over the old one), so an
    interruption leaves either the old keys or the new ones, never half a file."""
    temporary = path.with_name(f".{path.name}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("".join(key.decode("ascii") + "\n" for key in keyring.keys))
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def load(data_dir: Path, environ: Mapping[str, str]) -> tuple[Keyring, str]:
    """The server's keyring and where it came from; the key file is made on first start."""
    given = from_environment(environ)
    if given is not None:
        return given, ENV_KEY
    path = key_file(data_dir)
    if not path.exists():
        write_file(path, Keyring.generate())
    return read_file(path), str(path)
