"""Rotating the server key: every kind of stored secret (access keys' too) re-encrypted, old
ciphertexts readable until the rotation is done, then only the new key; an interrupted rotation
resumes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from stackworks.domain.entities import App, AppSource, Command, EnvironmentVariable, Stack
from stackworks.domain.resources import DatabaseEngine, RegisteredDatabase
from stackworks.domain.status import CommandName, SourceType
from stackworks.store import access_keys, apps, commands, databases, keyring, sealing, stacks, users
from stackworks.store.db import Database, sqlite_url
from stackworks.store.key_rotation import rotate_server_key
from stackworks.store.keyring import Keyring, SecretKeyError
from stackworks.store.tables import AccessKeyRow, AppRow, CommandRow, DatabaseRow, StackRow

SECRETS = ("env-s3cret", "db-pa55", "json-k3y", "cmd-t0ken", "aws-s3cret-key")
KEY_ID = "AKIAAAAAAAAAAAAAAAAA"


def _fill(data_dir: Path) -> str:
    """A stack with one secret of each kind, stored with the data dir's key; its database URL."""
    url = sqlite_url(data_dir / "stackworks.db")
    ring, _ = keyring.load(data_dir, {})
    db = Database(url, ring)
    db.upgrade()
    with db.transaction() as session:
        stack = stacks.create(
            session, Stack(id="s", name="shop", custom_json={"k": {"$secret": "json-k3y"}})
        )
        apps.create(
            session,
            App(
                id="a",
                stack_id=stack.id,
                shortname="web",
                name="web",
                source=AppSource(SourceType.GIT, "file:///x"),
                environment=(EnvironmentVariable("S", "env-s3cret", secure=True),),
            ),
        )
        databases.create(
            session,
            RegisteredDatabase(
                "d", "s", "main", DatabaseEngine.POSTGRESQL, "h", 5432, "db", "u", "db-pa55"
            ),
        )
        config = {"apps": {"web": {"environment": {"T": "cmd-t0ken"}, "secure_keys": ["T"]}}}
        commands.add(
            session,
            Command(
                id="c", stack_id="s", instance_id="i", type=CommandName.SETUP, configuration=config
            ),
            60,
        )
        user = users.create(session, "ci")
        session.add(
            AccessKeyRow(
                id=KEY_ID, user_id=user.id, secret_sealed=keyring.of(session).seal("aws-s3cret-key")
            )
        )
    db.dispose()
    return url


def _stored_tokens(url: str) -> list[str]:
    """The encrypted forms as they lie in the rows."""
    db = Database(url)
    with db.transaction() as session:
        found = [e["sealed"] for r in session.scalars(select(AppRow)) for e in r.environment]
        found += [str(r.password_sealed) for r in session.scalars(select(DatabaseRow))]
        found += [r.custom_json["k"]["$sealed"] for r in session.scalars(select(StackRow))]
        found += [str(r.sealed_secrets) for r in session.scalars(select(CommandRow))]
        found += [r.secret_sealed for r in session.scalars(select(AccessKeyRow))]
    db.dispose()
    return found


def _read_all(url: str, ring: Keyring) -> list[str]:
    db = Database(url, ring)
    with db.transaction() as session:
        app = apps.get(session, "s", "web")
        row = commands.row(session, "c")
        values = [
            app.environment[0].value,
            databases.get(session, "s", "main").password,
            stacks.get(session, "s").custom_json["k"]["$secret"],
            commands.configuration_for_agent(session, row)["apps"]["web"]["environment"]["T"],
            access_keys.find_signing_key(session, KEY_ID).secret,  # type: ignore[union-attr]
        ]
    db.dispose()
    return values


def test_no_secret_lies_in_clear_in_the_rows(tmp_path: Path) -> None:
    url = _fill(tmp_path)
    tokens = _stored_tokens(url)
    assert len(tokens) == len(SECRETS)
    for secret in SECRETS:
        assert not any(secret in t for t in tokens)
    files = b"".join(p.read_bytes() for p in tmp_path.glob("stackworks.db*"))  # and the WAL
    for secret in SECRETS:
        assert secret.encode() not in files


def test_rotation_re_encrypts_everything_and_then_only_the_new_key_opens_it(
    tmp_path: Path,
) -> None:
    url = _fill(tmp_path)
    old = keyring.read_file(tmp_path / keyring.KEY_FILE)
    before = _stored_tokens(url)

    report = rotate_server_key(tmp_path, url, {})

    assert report.secrets == len(SECRETS) and report.keys_left == 1 and not report.resumed
    new = keyring.read_file(tmp_path / keyring.KEY_FILE)
    assert new.keys != old.keys and len(new.keys) == 1
    after = _stored_tokens(url)
    assert all(a != b for a, b in zip(after, before, strict=True))
    assert _read_all(url, new) == list(SECRETS)
    with pytest.raises(SecretKeyError):
        _read_all(url, old)


def test_an_interrupted_rotation_keeps_every_secret_readable_and_resumes(tmp_path: Path) -> None:
    url = _fill(tmp_path)
    old = keyring.read_file(tmp_path / keyring.KEY_FILE)
    # interrupted after step 1: the file has the new key in front, nothing re-encrypted yet
    halfway = old.with_new_key()
    keyring.write_file(tmp_path / keyring.KEY_FILE, halfway)
    assert _read_all(url, keyring.read_file(tmp_path / keyring.KEY_FILE)) == list(SECRETS)

    report = rotate_server_key(tmp_path, url, {})

    assert report.resumed
    final = keyring.read_file(tmp_path / keyring.KEY_FILE)
    assert final.keys == halfway.keys[:1]
    assert _read_all(url, final) == list(SECRETS)


def test_rotation_with_keys_from_the_environment_wants_the_new_one_first(tmp_path: Path) -> None:
    url = _fill(tmp_path)
    old = keyring.read_file(tmp_path / keyring.KEY_FILE).keys[0].decode()
    with pytest.raises(SecretKeyError, match="NEW,OLD"):
        rotate_server_key(tmp_path, url, {keyring.ENV_KEY: old})
    new = Keyring.generate().keys[0].decode()
    report = rotate_server_key(tmp_path, url, {keyring.ENV_KEY: f"{new},{old}"})
    assert report.secrets == len(SECRETS) and report.keys_left == 2
    assert _read_all(url, Keyring([new.encode()])) == list(SECRETS)


def test_secrets_an_older_version_stored_in_clear_are_encrypted_on_first_start(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path / "stackworks.db")
    db = Database(url)
    db.upgrade()
    with db.transaction() as session:  # rows as an older version wrote them
        session.add(StackRow(id="s", name="shop"))
        session.flush()
        session.add(
            AppRow(
                id="a",
                stack_id="s",
                shortname="web",
                name="web",
                environment=[{"key": "S", "value": "env-s3cret", "secure": True}],
            )
        )
        session.add(
            DatabaseRow(
                id="d",
                stack_id="s",
                name="main",
                engine="postgresql",
                host="h",
                port=5432,
                database="db",
                user="u",
                password="db-pa55",
            )
        )
        config = {"apps": {"web": {"environment": {"T": "cmd-t0ken"}, "secure_keys": ["T"]}}}
        session.add(
            CommandRow(
                id="c",
                stack_id="s",
                instance_id="i",
                type="setup",
                status="pending",
                configuration=config,
            )
        )
    with db.transaction() as session:
        assert sealing.seal_clear_values(session) == 3
    with db.transaction() as session:
        assert sealing.seal_clear_values(session) == 0  # nothing left in clear
        rows = [
            *session.scalars(select(AppRow)),
            *session.scalars(select(DatabaseRow)),
            *session.scalars(select(CommandRow)),
        ]
        text = " ".join(
            repr({k: v for k, v in vars(r).items() if not k.startswith("_")}) for r in rows
        )
        for secret in ("env-s3cret", "db-pa55", "cmd-t0ken"):
            assert secret not in text
        assert apps.get(session, "s", "web").environment[0].value == "env-s3cret"
        assert databases.get(session, "s", "main").password == "db-pa55"
        whole = commands.configuration_for_agent(session, commands.row(session, "c"))
        assert whole["apps"]["web"]["environment"]["T"] == "cmd-t0ken"
    db.dispose()
