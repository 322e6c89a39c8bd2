"""`stackworks agent cron --jobs FILE`: the scheduled-job runner of a local instance.

One long-running program under the instance's supervisord. Every second it re-reads the jobs
file if it changed (see `converge.providers.cron_jobs`), starts each job whose minute has come,
and reaps the ones that finished. A job never overlaps itself: while a run is still going, its
next due time is skipped and the skip recorded. A run that outlives its `timeout` gets SIGTERM
on its whole process group, then SIGKILL `KILL_GRACE` seconds later. Each run (or skip) is one
JSON line in `<log_dir>/<job>.log`: start, end, exit status, whether it timed out, and the
last lines of its output.

Schedules are read in this host's local time, as cron does.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from stackworks.converge.providers.cron_jobs import Job, load_jobs
from stackworks.converge.schedule import Schedule, ScheduleError, next_run, parse_schedule

TICK_SECONDS = 1.0
KILL_GRACE = 5.0
TAIL_LINES = 20

Clock = Callable[[], datetime]


@dataclass
class Running:
    """A run in progress: its process, when it started and when it must be over."""

    job: Job
    process: subprocess.Popen[bytes]
    output: IO[bytes]
    started: datetime
    deadline: float
    terminated_at: float | None = None


class CronRunner:
    """Runs the jobs of one jobs file; `tick(now)` does one round (tests drive it directly)."""

    def __init__(
        self,
        jobs_file: Path,
        *,
        log: Callable[[str], None] = print,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jobs_file = jobs_file
        self.log = log
        self.monotonic = monotonic
        self.jobs: dict[str, Job] = {}
        self.schedules: dict[str, Schedule] = {}
        self.due: dict[str, datetime] = {}
        self.running: dict[str, Running] = {}
        self.log_dir = jobs_file.parent / "cron-logs"
        self._seen: tuple[int, int, int] | None = None

    # -- the jobs file -------------------------------------------------------------------

    def reload(self, now: datetime) -> None:
        """Pick up a changed jobs file; a job whose definition changed is rescheduled from now.
        A bad file or schedule is logged and leaves the jobs as they were."""
        try:
            info = self.jobs_file.stat()
            seen: tuple[int, int, int] | None = (info.st_ino, info.st_mtime_ns, info.st_size)
        except FileNotFoundError:
            seen = None
        if seen == self._seen:
            return
        self._seen = seen
        try:
            jobs, log_dir = load_jobs(self.jobs_file)
        except (OSError, ValueError) as error:
            self.log(f"cron: cannot read {self.jobs_file}: {error}")
            return
        if log_dir is not None:
            self.log_dir = log_dir
        fresh: dict[str, Job] = {}
        for job in jobs:
            try:
                schedule = parse_schedule(job.schedule)
            except ScheduleError as error:
                self.log(f"cron: job {job.name}: {error}; not scheduled")
                continue
            fresh[job.name] = job
            if self.jobs.get(job.name) != job:
                self.schedules[job.name] = schedule
                self.due[job.name] = next_run(schedule, now)
                self.log(f"cron: job {job.name} ({job.schedule}) next at {self.due[job.name]}")
        for gone in set(self.jobs) - set(fresh):
            self.due.pop(gone, None)
            self.schedules.pop(gone, None)
            self.log(f"cron: job {gone} removed")
        self.jobs = fresh

    # -- one round ---------------------------------------------------------------------------

    def tick(self, now: datetime) -> None:
        self.reload(now)
        self.reap(now)
        for name, job in self.jobs.items():
            if self.due[name] > now:
                continue
            self.due[name] = next_run(self.schedules[name], now)
            if name in self.running:
                self.record(job, {"started": now.isoformat(), "skipped": "still running"})
                self.log(f"cron: job {name} is still running: this run is skipped")
                continue
            self.start(job, now)

    def start(self, job: Job, now: datetime) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        output = tempfile.TemporaryFile(dir=self.log_dir)  # noqa: SIM115 (closed when reaped)
        environment = {**os.environ, **job.environment}
        try:
            process = subprocess.Popen(
                job.command,
                cwd=job.cwd,
                env=environment,
                user=job.user,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a timeout ends all of it
            )
        except (OSError, ValueError, KeyError) as error:
            output.close()
            self.record(job, {"started": now.isoformat(), "exit_status": None, "error": str(error)})
            self.log(f"cron: job {job.name} cannot start: {error}")
            return
        self.running[job.name] = Running(job, process, output, now, self.monotonic() + job.timeout)
        self.log(f"cron: job {job.name} started (pid {process.pid})")

    def reap(self, now: datetime) -> None:
        """Record finished runs; end the ones past their timeout."""
        clock = self.monotonic()
        for name, run in list(self.running.items()):
            status = run.process.poll()
            if status is None:
                if run.terminated_at is None and clock >= run.deadline:
                    self._signal(run, signal.SIGTERM)
                    run.terminated_at = clock
                elif run.terminated_at is not None and clock >= run.terminated_at + KILL_GRACE:
                    self._signal(run, signal.SIGKILL)
                continue
            del self.running[name]
            run.output.seek(0)
            text = run.output.read().decode(errors="replace")
            run.output.close()
            tail = "\n".join(text.rstrip().splitlines()[-TAIL_LINES:])
            self.record(
                run.job,
                {
                    "started": run.started.isoformat(),
                    "finished": now.isoformat(),
                    "exit_status": status,
                    "timed_out": run.terminated_at is not None,
                    "output_tail": tail,
                },
            )
            verdict = "timed out" if run.terminated_at is not None else f"exited {status}"
            self.log(f"cron: job {name} {verdict}")

    def _signal(self, run: Running, number: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.process.pid, number)

    def record(self, job: Job, entry: dict[str, Any]) -> None:
        """Append one run's line to the job's log."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"job": job.name, **entry}, sort_keys=True)
        with (self.log_dir / f"{job.name}.log").open("a") as handle:
            handle.write(line + "\n")

    def stop_all(self) -> None:
        """End every running job's process group (the runner is stopping)."""
        for run in self.running.values():
            self._signal(run, signal.SIGTERM)
        deadline = self.monotonic() + KILL_GRACE
        for run in self.running.values():
            try:
                run.process.wait(timeout=max(0.0, deadline - self.monotonic()))
            except subprocess.TimeoutExpired:
                self._signal(run, signal.SIGKILL)
                run.process.wait()


def run_cron(
    jobs_file: Path, *, clock: Clock = datetime.now, stop: threading.Event | None = None
) -> int:
    """Run until SIGTERM/SIGINT (or `stop` is set); returns the exit code."""
    stopping = stop or threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        stopping.set()

    if stop is None:
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    runner = CronRunner(jobs_file, log=lambda line: print(line, flush=True))
    runner.log(f"cron: reading jobs from {jobs_file}")
    try:
        while not stopping.is_set():
            runner.tick(clock())
            stopping.wait(TICK_SECONDS)
    finally:
        runner.stop_all()
    return 0
