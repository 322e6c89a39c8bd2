"""Services under systemd (real hosts): a unit file in <roots.etc>/systemd/system and systemctl.

Reload sends `reload_signal` to the main process through ExecReload; stops take the whole
control group, as supervisor's stopasgroup/killasgroup do.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.atomic import atomic_write
from stackworks.converge import files
from stackworks.converge.providers.service_decision import ServiceState
from stackworks.converge.providers.services import ServiceSpec
from stackworks.converge.resource import ResourceError

if TYPE_CHECKING:
    from stackworks.converge.context import Context

ACTIVE_STATES = ("active", "activating", "reloading")


def _quote(arg: str) -> str:
    """One ExecStart word: double-quoted, with systemd's own escapes for \\, " and %, $."""
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"'


def render_unit(spec: ServiceSpec) -> str:
    if not spec.command:
        raise ResourceError(f"service[{spec.name}]: `command` is required to define it")
    service = [
        "Type=simple",
        f"ExecStart={' '.join(_quote(a) for a in spec.command)}",
        f"ExecReload=/bin/kill -s {spec.reload_signal} $MAINPID",
        f"KillSignal=SIG{spec.stop_signal}",
        "KillMode=control-group",
        f"TimeoutStopSec={spec.stop_timeout}",
        f"Restart={'always' if spec.autorestart else 'no'}",
    ]
    if spec.directory:
        service.append(f"WorkingDirectory={spec.directory}")
    if spec.user:
        service.append(f"User={spec.user}")
    for key, value in sorted(spec.environment.items()):
        service.append(f"Environment={_quote(f'{key}={value}')}")
    return "\n".join(
        [
            "[Unit]",
            f"Description=Stackworks service {spec.name}",
            "After=network-online.target",
            "",
            "[Service]",
            *service,
            "",
            "[Install]",
            "WantedBy=multi-user.target",
            "",
        ]
    )


class Systemd:
    def unit_path(self, ctx: Context, spec: ServiceSpec) -> Path:
        return Path(ctx.roots["etc"]) / "systemd" / "system" / f"{spec.name}.service"

    def definition(self, ctx: Context, spec: ServiceSpec) -> str | None:
        return render_unit(spec) if spec.command is not None else None

    def state(self, ctx: Context, spec: ServiceSpec) -> ServiceState:
        old = files.read_bytes(self.unit_path(ctx, spec))
        wanted = self.definition(ctx, spec)
        current = wanted is None or (old is not None and old.decode(errors="replace") == wanted)
        enabled = ctx.run(["systemctl", "is-enabled", f"{spec.name}.service"]).output.strip()
        active = ctx.run(["systemctl", "is-active", f"{spec.name}.service"]).output.strip()
        return ServiceState(
            defined=old is not None,
            current=current,
            enabled=enabled == "enabled",
            running=active in ACTIVE_STATES,
        )

    def carry_out(self, ctx: Context, spec: ServiceSpec, steps: Sequence[str]) -> None:
        unit = f"{spec.name}.service"
        for step in steps:
            if step == "write":
                path = self.unit_path(ctx, spec)
                path.parent.mkdir(parents=True, exist_ok=True)
                text = self.definition(ctx, spec) or ""
                atomic_write(path, text.encode(), mode=0o600)
                self._must(ctx, spec, "daemon-reload")
            else:
                self._must(ctx, spec, step, unit)

    def _must(self, ctx: Context, spec: ServiceSpec, *args: str) -> None:
        result = ctx.run(["systemctl", *args], timeout=spec.stop_timeout + 60)
        if not result.ok:
            raise ResourceError(
                f"service[{spec.name}]: systemctl {args[0]} failed "
                f"(exit {result.exit_code}): {result.tail()}"
            )
