"""A provider that starts nothing and records every call, for the control layer's unit tests.

It behaves like a well-mannered local provider (addresses from 10.0.0.1 up, instances run
after `start` until `stop`), and can be told to fail: `fail_start` makes `start` raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stackworks.domain.entities import Instance
from stackworks.providers.base import AddressExhausted, Provider, StartFailed, StartResult
from stackworks.wire.agent_config import AgentConfig


@dataclass(frozen=True)
class Call:
    """One recorded call: the method name, the instance's hostname (if any) and arguments."""

    method: str
    hostname: str | None = None
    args: dict[str, Any] = field(default_factory=dict)


class FakeProvider(Provider):
    name = "fake"

    def __init__(self, *, fail_start: bool = False, **settings: Any) -> None:
        self.settings = settings
        self.fail_start = fail_start
        self.calls: list[Call] = []
        self.running: set[str] = set()  # instance ids
        self.agent_configs: dict[str, AgentConfig] = {}  # instance id -> last config

    def allocate_address(self, taken: set[str]) -> str:
        self.calls.append(Call("allocate_address", args={"taken": sorted(taken)}))
        for last in range(1, 255):
            address = f"10.0.0.{last}"
            if address not in taken:
                return address
        raise AddressExhausted("no free address in 10.0.0.0/24")

    def start(self, instance: Instance, agent_config: AgentConfig) -> StartResult:
        self.calls.append(
            Call("start", instance.hostname, {"agent_config": agent_config.to_json()})
        )
        if self.fail_start:
            raise StartFailed(f"{instance.hostname}: fake start failure")
        self.running.add(instance.id)
        self.agent_configs[instance.id] = agent_config
        return StartResult(
            root_dir=f"/fake/{instance.stack_id}/{instance.hostname}",
            private_ip=instance.private_ip or "10.0.0.1",
        )

    def stop(self, instance: Instance) -> None:
        self.calls.append(Call("stop", instance.hostname))
        self.running.discard(instance.id)

    def delete(self, instance: Instance) -> None:
        self.calls.append(Call("delete", instance.hostname))
        self.running.discard(instance.id)

    def is_running(self, instance: Instance) -> bool:
        return instance.id in self.running

    def methods_called(self) -> list[str]:
        return [call.method for call in self.calls]
