"""Services under the instance's own supervisord (local instances).

A service is a `[program:<name>]` file in `<roots.etc>/supervisor.d/`; "enabled" means that
file is there (supervisord starts it when it starts), "disabled" that it is gone. After a file
changes, `reread` + `update <name>` make supervisord pick it up: a changed program is restarted
by `update` itself, which the provider accounts for instead of restarting twice.
"""

from __future__ import annotations

import shlex
import sys
import time
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

RUNNING_STATES = ("RUNNING", "STARTING", "BACKOFF")
SETTLE_SECONDS = 15.0


def _escape(value: str) -> str:
    """supervisor expands %(name)s in values: a literal % is written %%."""
    return value.replace("%", "%%")


def render_program(spec: ServiceSpec, log_dir: str) -> str:
    if not spec.command:
        raise ResourceError(f"service[{spec.name}]: `command` is required to define it")
    lines = [
        f"[program:{spec.name}]",
        f"command={_escape(shlex.join(spec.command))}",
    ]
    if spec.directory:
        lines.append(f"directory={_escape(spec.directory)}")
    if spec.user:
        lines.append(f"user={spec.user}")
    if spec.environment:
        pairs = []
        for key, value in sorted(spec.environment.items()):
            quoted = str(value).replace("\\", "\\\\").replace('"', '\\"')
            pairs.append(f'{key}="{_escape(quoted)}"')
        lines.append(f"environment={','.join(pairs)}")
    lines += [
        "autostart=true",
        f"autorestart={'true' if spec.autorestart else 'false'}",
        "startsecs=1",
        f"stopsignal={spec.stop_signal}",
        f"stopwaitsecs={spec.stop_timeout}",
        "stopasgroup=true",
        "killasgroup=true",
        "redirect_stderr=true",
        f"stdout_logfile={_escape(str(Path(log_dir) / f'{spec.name}.log'))}",
        "stdout_logfile_maxbytes=10MB",
        "stdout_logfile_backups=3",
    ]
    return "\n".join(lines) + "\n"


class Supervisor:
    def conf_path(self, ctx: Context, spec: ServiceSpec) -> Path:
        return Path(ctx.roots["etc"]) / "supervisor.d" / f"{spec.name}.conf"

    def ctl(self, ctx: Context, *args: str) -> tuple[bool, str]:
        config = str(Path(ctx.roots["etc"]) / "supervisord.conf")
        argv = [sys.executable, "-m", "supervisor.supervisorctl", "-c", config, *args]
        result = ctx.run(argv, timeout=60)
        return result.ok, result.output

    def definition(self, ctx: Context, spec: ServiceSpec) -> str | None:
        if spec.command is None:
            return None
        return render_program(spec, ctx.roots["log"])

    def status(self, ctx: Context, spec: ServiceSpec) -> str:
        """The program's supervisor state (RUNNING, STOPPED, FATAL...), "" when unknown."""
        _, output = self.ctl(ctx, "status", spec.name)
        for line in output.splitlines():
            parts = line.split()
            if parts and parts[0] in (spec.name, f"{spec.name}:{spec.name}"):
                return parts[1] if len(parts) > 1 else ""
        if "refused connection" in output or "no such file" in output.lower():
            raise ResourceError(f"service[{spec.name}]: supervisord is not reachable: {output}")
        return ""

    def settled(self, ctx: Context, spec: ServiceSpec) -> str:
        """The state once a starting program has started or given up (`update` starts
        programs in the background)."""
        deadline = time.monotonic() + SETTLE_SECONDS
        state = self.status(ctx, spec)
        while state in ("STARTING", "BACKOFF") and time.monotonic() < deadline:
            time.sleep(0.2)
            state = self.status(ctx, spec)
        return state

    def running(self, ctx: Context, spec: ServiceSpec) -> bool:
        return self.status(ctx, spec) in RUNNING_STATES

    def state(self, ctx: Context, spec: ServiceSpec) -> ServiceState:
        path = self.conf_path(ctx, spec)
        wanted = self.definition(ctx, spec)
        old = files.read_bytes(path)
        defined = old is not None
        current = wanted is None or (old is not None and old.decode(errors="replace") == wanted)
        running = self.running(ctx, spec) if defined else False
        return ServiceState(defined=defined, current=current, enabled=defined, running=running)

    def carry_out(self, ctx: Context, spec: ServiceSpec, steps: Sequence[str]) -> None:
        path = self.conf_path(ctx, spec)
        updated_running = False
        for step in steps:
            if step in ("write", "enable"):
                wanted = self.definition(ctx, spec)
                if wanted is None:
                    raise ResourceError(f"service[{spec.name}]: `command` is required to enable it")
                path.parent.mkdir(parents=True, exist_ok=True)
                if files.read_bytes(path) != wanted.encode():
                    atomic_write(path, wanted.encode(), mode=0o600)
                    self._update(ctx, spec)
                    updated_running = self.settled(ctx, spec) == "RUNNING"
            elif step == "disable":
                path.unlink(missing_ok=True)
                self._update(ctx, spec)
            elif step == "start":
                if self.settled(ctx, spec) != "RUNNING":
                    self._must(ctx, spec, "start", spec.name)
            elif step == "restart":
                if updated_running:
                    continue  # `update` has just restarted it with the new definition
                verb = "restart" if self.settled(ctx, spec) == "RUNNING" else "start"
                self._must(ctx, spec, verb, spec.name)
            elif step == "stop":
                if self.running(ctx, spec):
                    self._must(ctx, spec, "stop", spec.name)
            elif step == "reload":
                self._must(ctx, spec, "signal", spec.reload_signal, spec.name)

    def _update(self, ctx: Context, spec: ServiceSpec) -> None:
        self._must(ctx, spec, "reread")
        self._must(ctx, spec, "update", spec.name)

    def _must(self, ctx: Context, spec: ServiceSpec, *args: str) -> None:
        ok, output = self.ctl(ctx, *args)
        if not ok or "ERROR" in output:
            log = Path(ctx.roots["log"]) / f"{spec.name}.log"
            tail = ""
            if log.exists():
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            detail = f"\n{spec.name}.log:\n{tail}" if tail else ""
            raise ResourceError(
                f"service[{spec.name}]: supervisorctl {args[0]} failed: {output.strip()}{detail}"
            )
