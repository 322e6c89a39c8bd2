"""The agent's configuration file: where its server is, who it is, where it keeps state.

The file is JSON (docs/agent-protocol.md), written by the local provider or by
`stackworks agent register`. A bad file stops the agent with one line that names the file and
the field, never a traceback: the person reading it has to fix the file, not the code.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from stackworks.atomic import write_json_atomic
from stackworks.wire.agent_config import AgentConfig

__all__ = ["AgentConfig", "AgentConfigError", "load_config", "write_config"]


class AgentConfigError(Exception):
    """The configuration file is missing, unreadable or invalid; the message says where."""


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    return f"field {field!r}: {message}"


def load_config(path: Path) -> AgentConfig:
    """Read and check the file at `path`; AgentConfigError names the file and the bad field."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AgentConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AgentConfigError(
            f"{path}: line {exc.lineno}, column {exc.colno}: not valid JSON: {exc.msg}"
        ) from None
    if not isinstance(data, dict):
        raise AgentConfigError(f"{path}: must be a JSON object")
    try:
        return AgentConfig.model_validate(data)
    except ValidationError as exc:
        raise AgentConfigError(f"{path}: {_describe(exc)}") from None


def write_config(path: Path, config: AgentConfig) -> None:
    """Write the file atomically with mode 0600: it holds the instance's credential."""
    write_json_atomic(path, config.to_json(), mode=0o600)
