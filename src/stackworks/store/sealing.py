"""How the store keeps secrets encrypted, and the passes over every stored secret.

Entities hold secrets in clear (the domain needs the values); rows never do. The store modules
call these helpers on the way in and out: a secure environment variable is stored as
`{"key", "secure": true, "sealed": token}`, a secret custom JSON value as `{"$sealed": token}`,
a database password in `password_sealed`, a command's secrets as one token in `sealed_secrets`,
an access key's secret in `secret_sealed`, OpsWorks-only attributes' secrets in their `sealed`,
an ssh instance's private key in `instance_ssh_hosts.key_sealed` and a layer's default one in
`layer_ssh_defaults.key_sealed` (both sealed from the start).

`seal_clear_values` encrypts what an older version stored in clear; `rotate` re-encrypts every
secret with the keyring's first key. Each runs in the caller's one transaction.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackworks.domain import configuration_secrets, secret_attributes
from stackworks.domain.entities import EnvironmentVariable
from stackworks.store import keyring as keyrings
from stackworks.store.keyring import Keyring
from stackworks.store.tables import (
    AccessKeyRow,
    AppRow,
    CommandRow,
    DatabaseRow,
    InstanceSshHostRow,
    LayerRow,
    LayerSshDefaultRow,
    OpsWorksAttributesRow,
    StackRow,
)

SEALED = secret_attributes.RESERVED


# --- custom JSON ----------------------------------------------------------------------------


def seal_json(session: Session, value: dict[str, Any]) -> dict[str, Any]:
    ring = keyrings.of(session)
    sealed: dict[str, Any] = secret_attributes.transform(
        value, secret_attributes.SECRET, lambda _at, x: {SEALED: ring.seal(str(x))}
    )
    return sealed


def open_json(session: Session, value: dict[str, Any]) -> dict[str, Any]:
    if not _has_sealed(value):
        return value
    ring = keyrings.of(session)
    opened: dict[str, Any] = secret_attributes.transform(
        value, SEALED, lambda _at, x: {secret_attributes.SECRET: ring.open(str(x))}
    )
    return opened


def _has_sealed(value: Any) -> bool:
    found: list[object] = []
    secret_attributes.transform(value, SEALED, lambda at, _x: found.append(at))
    return bool(found)


# --- app environment ------------------------------------------------------------------------


def environment_rows(session: Session, env: tuple[EnvironmentVariable, ...]) -> list[Any]:
    ring = keyrings.of(session)
    return [
        {"key": e.key, "secure": True, "sealed": ring.seal(e.value)}
        if e.secure
        else {"key": e.key, "value": e.value, "secure": False}
        for e in env
    ]


def environment(session: Session, rows: list[Any]) -> tuple[EnvironmentVariable, ...]:
    """Rows back as variables; a secure row from before encryption still has its `value`."""
    ring = keyrings.of(session)
    return tuple(
        EnvironmentVariable(
            key=e["key"],
            value=ring.open(e["sealed"]) if "sealed" in e else e.get("value", ""),
            secure=bool(e.get("secure")),
        )
        for e in rows
    )


# --- a command's configuration --------------------------------------------------------------


def split_configuration(
    session: Session, configuration: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """The configuration to store (masked) and its secrets, encrypted ("" when it has none;
    NULL is left for rows from before encryption)."""
    masked, secrets = configuration_secrets.split(configuration)
    if not secrets:
        return masked, ""
    return masked, keyrings.of(session).seal(json.dumps(secrets))


def join_configuration(
    session: Session, masked: dict[str, Any], sealed: str | None
) -> dict[str, Any]:
    if not sealed:
        return masked
    return configuration_secrets.join(masked, json.loads(keyrings.of(session).open(sealed)))


# --- passes over every stored secret --------------------------------------------------------


def seal_clear_values(session: Session) -> int:
    """Encrypt the secrets an older version stored in clear; returns how many rows changed."""
    changed = 0
    for app in session.scalars(select(AppRow)):
        if any(e.get("secure") and "sealed" not in e for e in app.environment or []):
            app.environment = environment_rows(session, environment(session, app.environment))
            changed += 1
    for db in session.scalars(select(DatabaseRow).where(DatabaseRow.password != "")):
        db.password_sealed = keyrings.of(session).seal(db.password)
        db.password = ""
        changed += 1
    for command in session.scalars(select(CommandRow).where(CommandRow.sealed_secrets.is_(None))):
        masked, sealed = split_configuration(session, dict(command.configuration or {}))
        command.configuration, command.sealed_secrets = masked, sealed
        changed += 1 if sealed else 0
    session.flush()
    return changed


def rotate(session: Session, keyring: Keyring) -> int:
    """Re-encrypt every stored secret with the keyring's first key; returns how many."""
    count = 0

    def again(token: str) -> str:
        nonlocal count
        count += 1
        return keyring.rotate(token)

    for app in session.scalars(select(AppRow)):
        app.environment = [
            {**e, "sealed": again(e["sealed"])} if "sealed" in e else e
            for e in app.environment or []
        ]
    for row in [*session.scalars(select(StackRow)), *session.scalars(select(LayerRow))]:
        if _has_sealed(row.custom_json):
            row.custom_json = secret_attributes.transform(
                row.custom_json, SEALED, lambda _at, x: {SEALED: again(str(x))}
            )
    for db in session.scalars(select(DatabaseRow).where(DatabaseRow.password_sealed.is_not(None))):
        db.password_sealed = again(str(db.password_sealed))
    for command in session.scalars(select(CommandRow).where(CommandRow.sealed_secrets != "")):
        command.sealed_secrets = again(str(command.sealed_secrets))
    for key in session.scalars(select(AccessKeyRow)):
        key.secret_sealed = again(key.secret_sealed)
    for kept in session.scalars(
        select(OpsWorksAttributesRow).where(OpsWorksAttributesRow.sealed.is_not(None))
    ):
        kept.sealed = again(str(kept.sealed))
    for host in session.scalars(select(InstanceSshHostRow)):
        host.key_sealed = again(host.key_sealed)
    for default in session.scalars(select(LayerSshDefaultRow)):
        default.key_sealed = again(default.key_sealed)
    session.flush()
    return count
