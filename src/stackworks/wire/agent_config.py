"""The agent's configuration: one typed shape for everyone who makes or reads it.

The orchestrator builds it for each start, a provider writes it where its agent reads it (the
local provider into the instance root, with its own `state_dir`), `stackworks agent register`
writes it on a registered host, and the agent loads it (agent/config.py). The file is JSON
(docs/agent-protocol.md) with mode 0600: it holds the instance's credential.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from stackworks.domain.heartbeat_pacing import MAX_POLL_WAIT, POLL_WAIT

DEFAULT_STATE_DIR = Path("/var/lib/stackworks/agent")


class AgentConfig(BaseModel):
    """What one agent needs to know. Unknown keys are refused so a typo is not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    server_url: str
    instance_id: str = Field(min_length=1)
    hostname: str = Field(min_length=1)
    stack_id: str = Field(min_length=1)
    credential: str = Field(min_length=1, repr=False)  # never printed
    #: where the agent keeps its outbox and cookbook cache; the local provider sets its own
    state_dir: Path = DEFAULT_STATE_DIR
    heartbeat_interval: float = Field(default=15.0, gt=0, le=3600)
    poll_wait: float = Field(default=POLL_WAIT, ge=0, le=MAX_POLL_WAIT)
    #: the CA file an https `server_url` is verified with; None: the system's trust store
    ca_file: Path | None = None

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
        return self.model_dump(mode="json")
