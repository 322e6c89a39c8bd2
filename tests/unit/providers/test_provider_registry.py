"""The provider registry and the recording fake provider the control layer tests with."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackworks.domain.entities import Instance
from stackworks.providers import (
    FakeProvider,
    LocalProvider,
    StartFailed,
    UnknownProvider,
    get_provider,
)
from stackworks.wire.agent_config import AgentConfig

WEB1 = Instance(id="i-1", stack_id="s-1", hostname="web1", layers=("web",), private_ip="10.0.0.1")


def test_local_and_fake_are_registered_by_name(tmp_path: Path) -> None:
    assert isinstance(get_provider("local", data_dir=tmp_path), LocalProvider)
    assert isinstance(get_provider("fake"), FakeProvider)


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownProvider, match=r"'ec2'.*fake, local"):
        get_provider("ec2")


def test_the_fake_records_calls_and_tracks_running() -> None:
    fake = FakeProvider()
    config = AgentConfig(
        server_url="http://127.0.0.1:9",
        instance_id="i-1",
        hostname="web1",
        stack_id="s",
        credential="c",
    )
    fake.start(WEB1, config)
    assert fake.is_running(WEB1)
    fake.stop(WEB1)
    assert not fake.is_running(WEB1)
    assert fake.methods_called() == ["start", "stop"]
    assert fake.agent_configs["i-1"] is config


def test_the_fake_can_fail_a_start() -> None:
    fake = FakeProvider(fail_start=True)
    with pytest.raises(StartFailed, match="web1"):
        fake.start(
            WEB1,
            AgentConfig(
                server_url="http://127.0.0.1:9",
                instance_id="i-1",
                hostname="web1",
                stack_id="s",
                credential="c",
            ),
        )
    assert not fake.is_running(WEB1)


def test_the_fake_allocates_free_addresses() -> None:
    assert FakeProvider().allocate_address({"10.0.0.1"}) == "10.0.0.2"
