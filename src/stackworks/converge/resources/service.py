"""service[name]: a long-running process and what to do with it (start, stop, restart,
reload, enable, disable). The provider follows the instance's service manager; the decision of
what to do is `providers.service_decision.decide`, shared by both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from stackworks.converge.providers.service_decision import ACTIONS, decide
from stackworks.converge.providers.services import ServiceProvider, ServiceSpec
from stackworks.converge.providers.supervisor import Supervisor
from stackworks.converge.providers.systemd import Systemd
from stackworks.converge.resource import Plan, Resource, ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context

SIGNALS = ("TERM", "HUP", "INT", "QUIT", "KILL", "USR1", "USR2")


def provider_for(manager: str) -> ServiceProvider:
    if manager == "supervisor":
        return Supervisor()
    if manager == "systemd":
        return Systemd()
    raise ResourceError(f"service manager {manager!r} is not supported (supervisor, systemd)")


@dataclass(eq=False, kw_only=True)
class Service(Resource):
    kind: ClassVar[str] = "service"
    allowed_actions: ClassVar[tuple[str, ...]] = ACTIONS

    command: Sequence[str] | None = None
    directory: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    user: str | None = None
    stop_signal: str = "TERM"
    reload_signal: str = "HUP"
    stop_timeout: int = 10
    autorestart: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        for label, sig in (
            ("stop_signal", self.stop_signal),
            ("reload_signal", self.reload_signal),
        ):
            if sig not in SIGNALS:
                raise ResourceError(f"{self}: {label} must be one of {SIGNALS}, not {sig!r}")

    def spec(self) -> ServiceSpec:
        return ServiceSpec(
            name=self.name,
            command=list(self.command) if self.command is not None else None,
            directory=self.directory,
            environment={str(k): str(v) for k, v in self.environment.items()},
            user=self.user,
            stop_signal=self.stop_signal,
            reload_signal=self.reload_signal,
            stop_timeout=self.stop_timeout,
            autorestart=self.autorestart,
        )

    def check(self, ctx: Context) -> Plan:
        provider = provider_for(ctx.service_manager)
        spec = self.spec()
        state = provider.state(ctx, spec)
        steps = decide(self.action, state, has_definition=spec.command is not None)
        if not steps:
            status = "running" if state.running else "stopped"
            return Plan.noop(f"{status}{', enabled' if state.enabled else ''}")
        summary = ", ".join("write definition" if s == "write" else s for s in steps)
        return Plan(True, summary, data=steps)

    def apply(self, ctx: Context, plan: Plan) -> None:
        provider_for(ctx.service_manager).carry_out(ctx, self.spec(), plan.data)
        if {"start", "restart"} & set(plan.data):
            # A delayed restart or reload notified before this moment is already satisfied.
            ctx.facts[started_key(self.name)] = ctx.clock


def started_key(name: str) -> tuple[str, str]:
    return ("service-started", name)
