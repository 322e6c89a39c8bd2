"""The agent's configuration file: loaded when right, refused with file and field when not."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest

from stackworks.agent.config import AgentConfig, AgentConfigError, load_config, write_config

GOOD: dict[str, Any] = {
    "server_url": "http://127.0.0.1:8700/",
    "instance_id": "i-1",
    "hostname": "web1",
    "stack_id": "s-1",
    "credential": "sekrit",
    "state_dir": "/tmp/agent-state",
    "heartbeat_interval": 15,
    "poll_wait": 20,
}


def _write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "agent.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_a_good_file_loads(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    assert config.server_url == "http://127.0.0.1:8700"
    assert config.outbox_dir == Path("/tmp/agent-state/outbox")
    assert "sekrit" not in repr(config)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hostname": None}, "hostname"),
        ({"poll_wait": "soon"}, "poll_wait"),
        ({"server_url": "ftp://x"}, "server_url"),
        ({"heartbeat_interval": 0}, "heartbeat_interval"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_field_is_named_with_the_file(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    data = {**GOOD, **change}
    if change.get("hostname", "") is None:
        del data["hostname"]
    path = _write(tmp_path, data)
    with pytest.raises(AgentConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value)
    assert repr(field) in str(error.value)


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '{\n  "hostname": "web1",\n  oops\n}')
    with pytest.raises(AgentConfigError, match=r"agent.json: line 3"):
        load_config(path)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(AgentConfigError, match="cannot read"):
        load_config(tmp_path / "nope.json")


def test_written_file_is_private_and_loads_back(tmp_path: Path) -> None:
    config = AgentConfig.model_validate(GOOD)
    path = tmp_path / "etc" / "agent.json"
    write_config(path, config)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_config(path) == config
