"""cron[name]: a command run on a schedule (`m h dom mon dow`), never overlapping itself.

Where the job lives follows the instance:

- a local instance (supervisor): an entry in the instance's jobs file, run by one
  `stackworks agent cron --jobs FILE` program under the instance's own supervisord (the
  resource defines and starts it; it re-reads the file, so changing a job restarts nothing);
- a registered host with systemd: a `stackworks-cron-<name>.timer` and its oneshot service;
- a host without systemd: an `/etc/cron.d/stackworks-<name>` entry (flock + timeout).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from stackworks.atomic import atomic_write
from stackworks.converge import files
from stackworks.converge.providers import cron_jobs, cron_units
from stackworks.converge.providers.cron_jobs import Job
from stackworks.converge.providers.service_decision import decide
from stackworks.converge.providers.services import ServiceSpec
from stackworks.converge.providers.supervisor import Supervisor
from stackworks.converge.resource import Plan, Resource, ResourceError
from stackworks.converge.schedule import Schedule, ScheduleError, parse_schedule

if TYPE_CHECKING:
    from stackworks.converge.context import Context

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


def runner_spec(roots: Mapping[str, str]) -> ServiceSpec:
    """The supervisor program that runs a local instance's jobs."""
    return ServiceSpec(
        name=cron_jobs.PROGRAM,
        command=[
            sys.executable,
            "-m",
            "stackworks",
            "agent",
            "cron",
            "--jobs",
            str(cron_jobs.jobs_path(roots)),
        ],
        directory=roots.get("root"),
        environment={},
        user=None,
        stop_signal="TERM",
        reload_signal="HUP",
        stop_timeout=30,
        autorestart=True,
    )


@dataclass(eq=False, kw_only=True)
class Cron(Resource):
    kind: ClassVar[str] = "cron"
    allowed_actions: ClassVar[tuple[str, ...]] = ("create", "delete")
    #: a host has systemd when this directory exists (systemd's own test, sd_booted(3))
    systemd_marker: ClassVar[str] = "/run/systemd/system"

    command: Sequence[str] = ()
    schedule: str = ""
    user: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    cwd: str | None = None
    timeout: float = 3600.0

    def job(self) -> Job:
        return cron_jobs.Job(
            name=self.name,
            command=[str(a) for a in self.command],
            schedule=self.schedule,
            environment={str(k): str(v) for k, v in self.environment.items()},
            user=self.user,
            cwd=self.cwd,
            timeout=float(self.timeout),
        )

    def parsed(self) -> Schedule:
        try:
            return parse_schedule(self.schedule)
        except ScheduleError as error:
            raise ResourceError(f"{self}: {error}") from None

    def validate(self) -> None:
        if not _NAME.match(self.name):
            raise ResourceError(f"{self}: name must be letters, digits, '-' or '_'")
        if "delete" in self.action:
            return
        if not self.command:
            raise ResourceError(f"{self}: command (an argv list) is required")
        if self.timeout <= 0:
            raise ResourceError(f"{self}: timeout must be a positive number of seconds")
        self.parsed()

    def manager(self, ctx: Context) -> str:
        if ctx.service_manager == "supervisor":
            return "supervisor"
        return "systemd" if Path(self.systemd_marker).is_dir() else "cron.d"

    # -- the three places a job lives ------------------------------------------------------

    def wanted_files(self, ctx: Context) -> dict[Path, str]:
        """The files a host job is made of, with their wanted content ({} when deleting)."""
        etc = Path(ctx.roots["etc"])
        unit = cron_units.unit_name(self.name)
        if self.manager(ctx) == "systemd":
            units = etc / "systemd" / "system"
            paths = [units / f"{unit}.timer", units / f"{unit}.service"]
            if "delete" in self.action:
                return dict.fromkeys(paths, "")
            return {
                paths[0]: cron_units.render_timer(self.job(), self.parsed()),
                paths[1]: cron_units.render_service(self.job()),
            }
        path = etc / "cron.d" / f"stackworks-{self.name}"
        if "delete" in self.action:
            return {path: ""}
        return {path: cron_units.render_cron_d(self.job(), ctx.roots["run"])}

    def check(self, ctx: Context) -> Plan:
        self.validate()
        if self.manager(ctx) == "supervisor":
            return self._check_local(ctx)
        deleting = "delete" in self.action
        wanted = self.wanted_files(ctx)
        differ = [
            p
            for p, text in wanted.items()
            if (p.exists() if deleting else files.read_bytes(p) != text.encode())
        ]
        if not differ:
            return Plan.noop("absent" if deleting else f"scheduled {self.schedule!r}")
        verb = "remove" if deleting else "write"
        return Plan(True, f"{verb} {', '.join(p.name for p in differ)}", data=differ)

    def apply(self, ctx: Context, plan: Plan) -> None:
        manager = self.manager(ctx)
        if manager == "supervisor":
            self._apply_local(ctx, plan)
            return
        deleting = "delete" in self.action
        timer = f"{cron_units.unit_name(self.name)}.timer"
        if deleting and manager == "systemd":
            self._must(ctx, ["systemctl", "disable", "--now", timer])
        for path, text in self.wanted_files(ctx).items():
            if deleting:
                path.unlink(missing_ok=True)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(path, text.encode(), mode=0o644)
        if manager == "systemd":
            self._must(ctx, ["systemctl", "daemon-reload"])
            if not deleting:
                self._must(ctx, ["systemctl", "enable", "--now", timer])
                self._must(ctx, ["systemctl", "restart", timer])

    def _must(self, ctx: Context, argv: list[str]) -> None:
        result = ctx.run(argv, timeout=60)
        if not result.ok:
            raise ResourceError(f"{self}: {' '.join(argv[:2])} failed: {result.tail()}")

    # -- local instances -----------------------------------------------------------------

    def _check_local(self, ctx: Context) -> Plan:
        path = cron_jobs.jobs_path(ctx.roots)
        try:
            document = cron_jobs.read_document(path)
        except ValueError as error:
            raise ResourceError(f"{self}: {error}") from None
        current = document["jobs"].get(self.name)
        deleting = "delete" in self.action
        wanted = None if deleting else self.job().entry()
        changes: list[str] = []
        if json.dumps(current, sort_keys=True) != json.dumps(wanted, sort_keys=True):
            changes.append("remove job" if deleting else ("update job" if current else "add job"))
        others = [n for n in document["jobs"] if n != self.name]
        keep_runner = not deleting or bool(others)
        spec = runner_spec(ctx.roots)
        supervisor = Supervisor()
        state = supervisor.state(ctx, spec)
        actions = ("enable", "start") if keep_runner else ("stop", "disable")
        steps = decide(actions, state, has_definition=keep_runner)
        if steps:
            changes.append(f"{cron_jobs.PROGRAM}: {', '.join(steps)}")
        if not changes:
            return Plan.noop("absent" if deleting else f"scheduled {self.schedule!r}")
        return Plan(True, ", ".join(changes), data=(wanted, steps))

    def _apply_local(self, ctx: Context, plan: Plan) -> None:
        wanted, steps = plan.data
        path = cron_jobs.jobs_path(ctx.roots)
        cron_jobs.write_entry(path, cron_jobs.log_dir(ctx.roots), self.name, wanted)
        if steps:
            Supervisor().carry_out(ctx, runner_spec(ctx.roots), steps)
