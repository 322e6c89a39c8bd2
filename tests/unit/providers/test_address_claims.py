"""Two data dirs on one host never get the same loopback address."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from stackworks.providers import address_claims
from stackworks.providers.local import LocalProvider


@pytest.fixture(autouse=True)
def claims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "claims"
    monkeypatch.setenv("STACKWORKS_ADDRESS_CLAIMS", str(where))
    return where


def test_two_data_dirs_get_different_addresses(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    first = LocalProvider(tmp_path / "one").allocate_address(set())
    second = LocalProvider(tmp_path / "two").allocate_address(set())
    assert first != second
    assert LocalProvider(tmp_path / "one").allocate_address(set()) == first  # its own claim


def test_the_claim_of_a_data_dir_that_is_gone_is_taken_over(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    taken = LocalProvider(tmp_path / "old").allocate_address(set())
    shutil.rmtree(tmp_path / "old")
    assert LocalProvider(tmp_path / "new").allocate_address(set()) == taken


def test_an_address_something_listens_on_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    provider = LocalProvider(tmp_path / "d")
    first = provider.allocate_address(set())
    address_claims.release(first, tmp_path / "d")
    with socket.socket() as listener:
        listener.bind((first, 0))
        listener.listen()
        assert address_claims.listened_on(first)
        assert provider.allocate_address(set()) != first
    assert not address_claims.listened_on(first)


def test_release_frees_only_the_owners_claim(tmp_path: Path) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    address = LocalProvider(tmp_path / "a").allocate_address(set())
    address_claims.release(address, tmp_path / "b")
    assert not address_claims.claim(address, tmp_path / "b")
    address_claims.release(address, tmp_path / "a")
    assert address_claims.claim(address, tmp_path / "b")
