"""Hosts a user already runs, made instances by `stackworks agent register` (OpsWorks' register).

Stackworks neither starts nor ends such a host: its agent runs as the host's own service, with
the credential it received at registration. Starting the instance waits for that agent's
heartbeat; stopping it runs the shutdown recipes, after which the agent idles.
"""

from __future__ import annotations

from stackworks.domain.entities import Instance
from stackworks.providers.base import AddressExhausted, Provider, StartResult
from stackworks.wire.agent_config import AgentConfig


class RegisteredProvider(Provider):
    name = "registered"
    #: the agent keeps the credential it was given at registration; never issue another
    issues_credentials = False
    #: the server cannot start such a host again: a lost one comes back when its agent does
    replaceable = False

    def allocate_address(self, taken: set[str]) -> str:
        raise AddressExhausted("a registered host brings its own address")

    def start(self, instance: Instance, agent_config: AgentConfig) -> StartResult:
        return StartResult(root_dir=None, private_ip=instance.private_ip or "")

    def stop(self, instance: Instance) -> None:
        return None

    def delete(self, instance: Instance) -> None:
        return None

    def is_running(self, instance: Instance) -> bool:
        return False
