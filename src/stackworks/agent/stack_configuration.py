"""The stack configuration's shared sections, fetched once per version and joined into each
command's own configuration before it runs (docs/agent-protocol.md, "Stack configuration").

A version is a digest of its content and never changes, so the agent keeps the last one it
fetched: every command of the same stack state, however many, costs one fetch. The poll says
which version the agent holds (`have`), and a command of a newer one may carry the delta from
it: the agent applies it and checks the result's digest, and fetches only if that fails. A
command from a server that inlines the whole configuration (one older than versions) is run as
it came.
"""

from __future__ import annotations

import logging
from typing import Any

from stackworks.agent.client import AgentClient
from stackworks.domain import configuration_delta, shared_configuration
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
            applied = self._applied(command, version)
            if applied is not None:
                self._shared = applied
                log.info("stack configuration %s made from its delta", version[:12])
            else:
                self._shared = self._client.stack_configuration(version)
                log.info("stack configuration %s fetched", version[:12])
            self._version = version
        whole = shared_configuration.join(command.configuration, self._shared)
        return command.model_copy(update={"configuration": whole, "stack_configuration": None})

    def _applied(self, command: AgentCommand, version: str) -> dict[str, Any] | None:
        """The version made from the one held and the command's delta, if the delta is from
        the version held and the result's digest is `version`; else None (fetch it)."""
        delta = command.stack_configuration_delta
        if delta is None or delta.base != self._version:
            return None
        try:
            shared = configuration_delta.apply(self._shared, delta.to_delta())
        except configuration_delta.DeltaDoesNotApply as exc:
            log.warning("stack configuration %s: delta refused (%s); fetching", version[:12], exc)
            return None
        stack_id = command.configuration.get("stack", {}).get("id")
        if shared_configuration.digest(str(stack_id), shared) != version:
            log.warning("stack configuration %s: delta gave another digest; fetching", version[:12])
            return None
        return shared
