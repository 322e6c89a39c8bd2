"""The server key: authenticated encryption, the key file's mode, keys from the environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stackworks.store import keyring
from stackworks.store.keyring import Keyring, SecretKeyError


def test_a_sealed_secret_opens_only_with_its_key() -> None:
    ring = Keyring.generate()
    token = ring.seal("hunter2")
    assert "hunter2" not in token
    assert ring.open(token) == "hunter2"
    with pytest.raises(SecretKeyError, match="does not open"):
        Keyring.generate().open(token)


def test_a_tampered_token_is_refused() -> None:
    ring = Keyring.generate()
    token = ring.seal("hunter2")
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(SecretKeyError):
        ring.open(tampered)


def test_the_key_file_is_made_on_first_start_with_mode_0600_and_reused(tmp_path: Path) -> None:
    first, source = keyring.load(tmp_path, {})
    path = tmp_path / keyring.KEY_FILE
    assert source == str(path)
    assert path.stat().st_mode & 0o777 == 0o600
    again, _ = keyring.load(tmp_path, {})
    assert again.open(first.seal("x")) == "x"


def test_a_key_file_others_can_read_is_refused_naming_the_fix(tmp_path: Path) -> None:
    keyring.load(tmp_path, {})
    path = tmp_path / keyring.KEY_FILE
    os.chmod(path, 0o644)
    with pytest.raises(SecretKeyError, match=r"mode 0644 lets others read .*chmod 600"):
        keyring.load(tmp_path, {})


def test_keys_from_the_environment_win_and_the_first_one_encrypts(tmp_path: Path) -> None:
    old, new = Keyring.generate(), Keyring.generate()
    environ = {keyring.ENV_KEY: f"{new.keys[0].decode()},{old.keys[0].decode()}"}
    ring, source = keyring.load(tmp_path, environ)
    assert source == keyring.ENV_KEY
    assert not (tmp_path / keyring.KEY_FILE).exists()
    assert ring.open(old.seal("from before")) == "from before"
    assert new.open(ring.seal("now")) == "now"


def test_a_malformed_key_is_refused_naming_where_it_came_from(tmp_path: Path) -> None:
    with pytest.raises(SecretKeyError, match=keyring.ENV_KEY):
        keyring.load(tmp_path, {keyring.ENV_KEY: "not-a-key"})
