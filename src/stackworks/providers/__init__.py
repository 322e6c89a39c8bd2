"""Providers make instances real: `local` (a tree and a supervisord on this host) and a recording
`fake` for tests. Get one by name: `get_provider("local", data_dir=...)`. The `ssh` provider
(providers/ssh.py) reads hosts and keys from the server's database, so the server builds it
itself (api/server.py `build_providers`); `registered` likewise (docs/providers.md)."""

from stackworks.providers.base import (
    AddressExhausted,
    Provider,
    ProviderError,
    StartFailed,
    StartResult,
    StopFailed,
    UnknownProvider,
    get_provider,
    provider_names,
    register_provider,
)
from stackworks.providers.fake import FakeProvider
from stackworks.providers.local import LocalProvider

register_provider(LocalProvider.name, LocalProvider)
register_provider(FakeProvider.name, FakeProvider)

__all__ = [
    "AddressExhausted",
    "FakeProvider",
    "LocalProvider",
    "Provider",
    "ProviderError",
    "StartFailed",
    "StartResult",
    "StopFailed",
    "UnknownProvider",
    "get_provider",
    "provider_names",
    "register_provider",
]
