"""SSH instances: made with a target and a private key, and a new host key accepted by a user.

The request's key has been read by the API (it must be a private key the provider can use);
here the target is checked, the instance made with the target's host as its private address,
and the key kept sealed (store/ssh_hosts.py).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from stackworks.control import instances
from stackworks.domain.entities import Instance, Stack
from stackworks.domain.errors import Conflict, InvalidInput
from stackworks.domain.ssh_targets import parse_target
from stackworks.store import ssh_hosts as ssh_store
from stackworks.wire import schemas

SSH_PROVIDER = "ssh"


def with_layer_default(
    body: schemas.InstanceCreate, default_key: str | None
) -> schemas.InstanceCreate:
    """The request with its provider decided and, for ssh, its key: a layer's default key
    makes ssh the default provider and fills in a key the request left out."""
    provider = body.provider or (SSH_PROVIDER if default_key else "local")
    key = body.ssh_key
    if provider == SSH_PROVIDER and key is None:
        key = default_key
    return body.model_copy(update={"provider": provider, "ssh_key": key})


def check_request(body: schemas.InstanceCreate) -> None:
    """The ssh fields go with provider ssh, and only with it (after `with_layer_default`)."""
    if body.provider == SSH_PROVIDER:
        for field in ("ssh_target", "ssh_key"):
            if not getattr(body, field):
                raise InvalidInput(f"{field}: required with provider ssh", field=field)
        return
    for field in ("ssh_target", "ssh_key"):
        if getattr(body, field) is not None:
            raise InvalidInput(f"{field}: only for provider ssh", field=field)


def create_ssh_instance(
    session: Session, stack: Stack, body: schemas.InstanceCreate, data_dir: Path | None
) -> Instance:
    target = parse_target(body.ssh_target or "")

    def the_target_host(taken: set[str]) -> str:
        if target.host in taken:
            raise Conflict(
                f"ssh_target: {target.host} is already the address of another instance",
                field="ssh_target",
            )
        return target.host

    instance = instances.create_instance(
        session,
        stack,
        body,
        provider=SSH_PROVIDER,
        allocate_address=the_target_host,
        data_dir=data_dir,
    )
    ssh_store.record(session, instance.id, target, body.ssh_key or "")
    return instance


def accept_host_key(session: Session, instance: Instance, fingerprint: str) -> None:
    """Pin `fingerprint` as the instance's host key: its next connection accepts that key."""
    if ssh_store.target_of(session, instance.id) is None:
        raise InvalidInput(
            f"instance {instance.hostname!r} is a {instance.provider} instance, not an ssh one",
            field="hostname",
        )
    ssh_store.pin(session, instance.id, fingerprint)
