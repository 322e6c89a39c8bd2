"""The agent's configuration file: where its server is, who it is, where it keeps state.

The file is JSON (docs/agent-protocol.md), written by the local provider or by
`stackworks agent register`. A bad file stops the agent with one line that names the file and
the field, never a traceback: the person reading it has to fix the file, not the code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from stackworks.agent.atomic import write_json_atomic


class AgentConfigError(Exception):
    """The configuration file is missing, unreadable or invalid; the message says where."""


class AgentConfig(BaseModel):
    """What one agent needs to know. Unknown keys are refused so a typo is not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    server_url: str
    instance_id: str = Field(min_length=1)
    hostname: str = Field(min_length=1)
    stack_id: str = Field(min_length=1)
    credential: str = Field(min_length=1, repr=False)  # never printed
    state_dir: Path
    heartbeat_interval: float = Field(default=15.0, gt=0, le=3600)
    poll_wait: float = Field(default=20.0, ge=0, le=60)

    @field_validator("server_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def outbox_dir(self) -> Path:
        return self.state_dir / "outbox"

    @property
    def cookbook_cache(self) -> Path:
        return self.state_dir / "cookbooks"

    def to_json(self) -> dict[str, Any]:
        """The file's content (with the credential: the file itself is mode 0600)."""
        return {
            "server_url": self.server_url,
            "instance_id": self.instance_id,
            "hostname": self.hostname,
            "stack_id": self.stack_id,
            "credential": self.credential,
            "state_dir": str(self.state_dir),
            "heartbeat_interval": self.heartbeat_interval,
            "poll_wait": self.poll_wait,
        }


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
