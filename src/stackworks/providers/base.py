"""What makes an instance real: the Provider contract, its errors, and the registry by name.

ProviderError
 ├── UnknownProvider     no provider registered under that name
 ├── AddressExhausted    no free private address is left
 ├── StartFailed         the instance's processes did not come up
 └── StopFailed          some of the instance's processes could not be ended

A provider keeps nothing in memory that it needs later: the server that started an instance may
have restarted since, so `stop`, `is_running` and `delete` find everything from the instance
(its id, stack, hostname, root_dir) and from files the provider left on disk.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stackworks.domain.entities import Instance
from stackworks.wire.agent_config import AgentConfig


class ProviderError(Exception):
    """Base of every provider failure; the message is fit for the instance's status reason."""


class UnknownProvider(ProviderError):
    pass


class AddressExhausted(ProviderError):
    pass


class StartFailed(ProviderError):
    pass


class StopFailed(ProviderError):
    pass


@dataclass(frozen=True)
class StartResult:
    """Where the started instance lives and the address it was given."""

    root_dir: str | None
    private_ip: str


class Provider(abc.ABC):
    """Starts and ends instances. Every method may be called by a freshly started server."""

    name: str

    @abc.abstractmethod
    def allocate_address(self, taken: set[str]) -> str:
        """A private address for a new instance, not one of `taken`."""

    @abc.abstractmethod
    def start(self, instance: Instance, agent_config: AgentConfig) -> StartResult:
        """Make the instance run its agent with `agent_config` (docs/agent-protocol.md)."""

    @abc.abstractmethod
    def stop(self, instance: Instance) -> None:
        """End every process of the instance, and no other; keep its files."""

    @abc.abstractmethod
    def delete(self, instance: Instance) -> None:
        """Stop it if needed, then remove whatever the provider made for it."""

    @abc.abstractmethod
    def is_running(self, instance: Instance) -> bool:
        """Whether the instance's processes are up (its process manager is alive)."""


ProviderFactory = Callable[..., Provider]

_REGISTRY: dict[str, ProviderFactory] = {}


def register_provider(name: str, factory: ProviderFactory) -> None:
    """Make `get_provider(name, **settings)` call `factory(**settings)`."""
    _REGISTRY[name] = factory


def get_provider(name: str, **settings: Any) -> Provider:
    """The provider called `name`, built with `settings` (e.g. local: `data_dir`)."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise UnknownProvider(f"unknown provider {name!r} (known: {known})") from None
    return factory(**settings)


def provider_names() -> list[str]:
    return sorted(_REGISTRY)
