"""The interface service providers implement, and the service properties they read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from stackworks.converge.providers.service_decision import ServiceState

if TYPE_CHECKING:
    from stackworks.converge.context import Context


@dataclass(frozen=True)
class ServiceSpec:
    """A long-running process as declared; `command` None: act on an existing definition."""

    name: str
    command: Sequence[str] | None
    directory: str | None
    environment: Mapping[str, str]
    user: str | None
    stop_signal: str
    reload_signal: str
    stop_timeout: int
    autorestart: bool


class ServiceProvider(Protocol):
    def definition(self, ctx: Context, spec: ServiceSpec) -> str | None:
        """The definition text this spec wants (None when it has no command)."""
        ...

    def state(self, ctx: Context, spec: ServiceSpec) -> ServiceState: ...

    def carry_out(self, ctx: Context, spec: ServiceSpec, steps: Sequence[str]) -> None: ...
