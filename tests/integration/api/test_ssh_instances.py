"""ssh instances through the API: target and key checked, the key sealed and never shown, a
new host key accepted by fingerprint, and the key re-sealed by a key rotation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import select

from stackworks.providers import FakeProvider
from stackworks.store import sealing
from stackworks.store import ssh_hosts as ssh_store
from stackworks.store.db import Database
from stackworks.store.tables import InstanceSshHostRow
from support.api_harness import Api, make_layer, make_stack, serve_api

FINGERPRINT = "SHA256:" + "A" * 43


def private_key() -> str:
    return (
        ed25519.Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
        .decode()
    )


@pytest.fixture
def api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    def with_ssh(app: Any) -> None:
        app.state.providers["ssh"] = FakeProvider()

    with serve_api(database_url, tmp_path, configure=with_ssh) as served:
        make_stack(served, "web")
        make_layer(served, "web", "app")
        yield served


def create(api: Api, **fields: Any) -> Any:
    return api.post("/stacks/web/instances", {"layers": ["app"], **fields})


def test_an_ssh_instance_lives_at_its_targets_host_and_never_shows_its_key(api: Api) -> None:
    key = private_key()
    answer = create(
        api, hostname="app1", provider="ssh", ssh_target="root@10.248.0.11", ssh_key=key
    )
    assert answer.status_code == 201, answer.text
    shown = answer.json()
    assert shown["provider"] == "ssh" and shown["private_ip"] == "10.248.0.11"
    assert shown["ssh_target"] == "root@10.248.0.11" and shown["ssh_host_key"] is None
    body = key.splitlines()[1]
    for path in ("/stacks/web/instances", "/stacks/web/instances/app1", "/stacks/web/document"):
        assert body not in api.get(path).text
    with api.db.transaction() as session:
        row = session.scalars(select(InstanceSshHostRow)).one()
        assert body not in row.key_sealed
        assert ssh_store.access(session, row.instance_id).private_key == key


@pytest.mark.parametrize(
    ("fields", "status", "says"),
    [
        ({"provider": "ssh", "ssh_target": "root@10.0.0.5"}, 422, "ssh_key: required"),
        ({"provider": "ssh", "ssh_key": "@KEY"}, 422, "ssh_target: required"),
        ({"ssh_target": "root@10.0.0.5"}, 422, "ssh_target: only for provider ssh"),
        ({"provider": "ssh", "ssh_target": "root@h;x", "ssh_key": "@KEY"}, 422, "host 'h;x'"),
        ({"provider": "ssh", "ssh_target": "root@h", "ssh_key": "nope"}, 422,
         "ssh_key: is not a private key"),
        ({"provider": "cloud"}, 422, "provider"),
    ],
)  # fmt: skip
def test_a_bad_ssh_request_is_refused_naming_the_field(
    api: Api, fields: dict[str, Any], status: int, says: str
) -> None:
    if fields.get("ssh_key") == "@KEY":
        fields["ssh_key"] = private_key()
    answer = create(api, **fields)
    assert answer.status_code == status, answer.text
    assert says in answer.text
    assert api.get("/stacks/web/instances").json() == []


def test_two_instances_cannot_share_a_host(api: Api) -> None:
    first = create(api, provider="ssh", ssh_target="root@10.0.0.5", ssh_key=private_key())
    assert first.status_code == 201
    again = create(api, provider="ssh", ssh_target="deploy@10.0.0.5:2222", ssh_key=private_key())
    assert again.status_code == 409 and "already the address" in again.text


def test_a_new_host_key_is_accepted_by_its_fingerprint_for_ssh_instances_only(api: Api) -> None:
    create(api, hostname="app1", provider="ssh", ssh_target="root@10.0.0.5", ssh_key=private_key())
    create(api, hostname="local1")
    path = "/stacks/web/instances/{}/ssh-host-key"
    assert api.post(path.format("app1"), {"fingerprint": "MD5:aa"}).status_code == 422
    refused = api.post(path.format("local1"), {"fingerprint": FINGERPRINT})
    assert refused.status_code == 422 and "not an ssh one" in refused.text
    accepted = api.post(path.format("app1"), {"fingerprint": FINGERPRINT})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["ssh_host_key"] == FINGERPRINT


def test_a_key_rotation_reseals_the_ssh_key(api: Api, database_url: str) -> None:
    key = private_key()
    create(api, hostname="app1", provider="ssh", ssh_target="root@10.0.0.5", ssh_key=key)
    rotating = api.db.keyring.with_new_key()
    with api.db.transaction() as session:
        before = session.scalars(select(InstanceSshHostRow)).one().key_sealed
        assert sealing.rotate(session, rotating) >= 1
    after_rotation = Database(database_url, rotating.only_first())
    try:
        with after_rotation.transaction() as session:
            row = session.scalars(select(InstanceSshHostRow)).one()
            assert row.key_sealed != before
            assert ssh_store.access(session, row.instance_id).private_key == key
    finally:
        after_rotation.dispose()


def test_a_layers_default_key_makes_its_new_instances_ssh_ones(api: Api) -> None:
    key = private_key()
    path = "/stacks/web/layers/app/ssh-default"
    assert api.get(path).status_code == 404
    refused = api.client.put(f"/api/v1{path}", json={"ssh_key": "no"}, headers=api.headers())
    assert refused.status_code == 422 and "ssh_key: is not a private key" in refused.text
    set_ = api.client.put(f"/api/v1{path}", json={"ssh_key": key}, headers=api.headers())
    assert set_.status_code == 200, set_.text
    assert set_.json()["key_fingerprint"].startswith("SHA256:")
    assert key.splitlines()[1] not in set_.text + api.get(path).text

    made = create(api, hostname="app1", ssh_target="root@10.0.0.7")
    assert made.status_code == 201, made.text
    assert made.json()["provider"] == "ssh" and made.json()["private_ip"] == "10.0.0.7"
    with api.db.transaction() as session:
        row = session.scalars(select(InstanceSshHostRow)).one()
        assert ssh_store.access(session, row.instance_id).private_key == key
    needs_target = create(api, hostname="app2")
    assert needs_target.status_code == 422 and "ssh_target: required" in needs_target.text
    assert create(api, hostname="local1", provider="local").json()["provider"] == "local"

    assert api.client.delete(f"/api/v1{path}", headers=api.headers()).status_code == 204
    assert create(api, hostname="app3").json()["provider"] == "local"
