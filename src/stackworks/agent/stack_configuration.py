"""The stack configuration's shared sections, fetched once per version and joined into each
command's own configuration before it runs (docs/agent-protocol.md, "Stack configuration").

A version is a digest of its content and never changes, so the agent keeps the last one it
fetched: every command of the same stack state, however many, costs one fetch. A command from a
server that inlines the whole configuration (one older than versions) is run as it came.
"""

from __future__ import annotations

import logging
from typing import Any

from stackworks.agent.client import AgentClient
from stackworks.domain import shared_configuration
from stackworks.wire.schemas import AgentCommand

log = logging.getLogger("stackworks.agent")


class StackConfigurations:
    """One agent's copy of the last stack configuration version it fetched."""

    def __init__(self, client: AgentClient) -> None:
        self._client = client
        self._version: str | None = None
        self._shared: dict[str, Any] = {}

    @property
    def version(self) -> str | None:
        return self._version

    def complete(self, command: AgentCommand) -> AgentCommand:
        """`command` with its whole configuration; fetches its version unless held already."""
        version = command.stack_configuration
        if version is None:
            return command
        if version != self._version:
            self._shared = self._client.stack_configuration(version)
            self._version = version
            log.info("stack configuration %s fetched", version[:12])
        whole = shared_configuration.join(command.configuration, self._shared)
        return command.model_copy(update={"configuration": whole, "stack_configuration": None})
