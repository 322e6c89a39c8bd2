"""The cron runner of a local instance: runs due jobs, never twice at once, within a timeout.

`CronRunner.tick(now)` is driven with chosen times; the jobs are real short processes.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from stackworks.agent.cron import CronRunner, run_cron
from stackworks.cli import agent as agent_cli
from stackworks.converge.providers.cron_jobs import write_entry

T0 = datetime(2026, 12, 1, 10, 0, 30)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def jobs(tmp_path: Path) -> Path:
    return tmp_path / "etc" / "stackworks" / "cron-jobs.json"


@pytest.fixture
def runner(jobs: Path) -> Iterator[CronRunner]:
    lines: list[str] = []
    found = CronRunner(jobs, log=lines.append)
    yield found
    found.stop_all()


def _job(jobs: Path, name: str, code: str, schedule: str = "* * * * *", **extra: Any) -> None:
    entry = {"command": [sys.executable, "-c", code], "schedule": schedule, **extra}
    write_entry(jobs, jobs.parent.parent / "log" / "cron", name, entry)


def _runs(jobs: Path, name: str) -> list[dict[str, Any]]:
    path = jobs.parent.parent / "log" / "cron" / f"{name}.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _until_idle(runner: CronRunner, now: datetime, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while runner.running and time.monotonic() < deadline:
        time.sleep(0.05)
        runner.tick(now)


def test_a_due_job_runs_and_its_exit_status_and_output_tail_are_logged(
    jobs: Path, runner: CronRunner
) -> None:
    _job(jobs, "report", "import sys; print('line 1'); print('done'); sys.exit(3)", "*/5 * * * *")
    runner.tick(T0)
    assert runner.due["report"] == datetime(2026, 12, 1, 10, 5)
    runner.tick(T0 + 3 * MINUTE)
    assert runner.running == {}  # not due yet
    runner.tick(datetime(2026, 12, 1, 10, 5, 0))
    assert "report" in runner.running
    _until_idle(runner, datetime(2026, 12, 1, 10, 5, 1))
    [run] = _runs(jobs, "report")
    assert run["exit_status"] == 3
    assert run["timed_out"] is False
    assert run["output_tail"] == "line 1\ndone"
    assert runner.due["report"] == datetime(2026, 12, 1, 10, 10)


def test_a_job_still_running_is_not_started_again(jobs: Path, runner: CronRunner) -> None:
    _job(jobs, "slow", "import time; time.sleep(3)")
    runner.tick(T0)
    runner.tick(T0 + MINUTE)
    first = runner.running["slow"].process.pid
    runner.tick(T0 + 2 * MINUTE)
    assert runner.running["slow"].process.pid == first
    assert _runs(jobs, "slow") == [
        {"job": "slow", "skipped": "still running", "started": (T0 + 2 * MINUTE).isoformat()}
    ]


def test_a_job_past_its_timeout_is_ended_with_its_whole_process_group(
    jobs: Path, runner: CronRunner
) -> None:
    code = "import subprocess, time; subprocess.Popen(['sleep', '60']); time.sleep(60)"
    _job(jobs, "stuck", code, timeout=0.3)
    runner.tick(T0)
    runner.tick(T0 + MINUTE)
    started = time.monotonic()
    time.sleep(0.4)
    _until_idle(runner, T0 + MINUTE)
    assert time.monotonic() - started < 5
    [run] = _runs(jobs, "stuck")
    assert run["timed_out"] is True
    assert run["exit_status"] == -15


def test_a_changed_jobs_file_is_picked_up_without_a_restart(jobs: Path, runner: CronRunner) -> None:
    _job(jobs, "a", "pass", "0 * * * *")
    runner.tick(T0)
    assert runner.due["a"] == datetime(2026, 12, 1, 11, 0)
    _job(jobs, "a", "pass", "30 10 * * *")
    _job(jobs, "b", "pass", "@daily")
    runner.tick(T0)
    assert runner.due == {"a": datetime(2026, 12, 1, 10, 30), "b": datetime(2026, 12, 2, 0, 0)}
    write_entry(jobs, jobs.parent / "logs", "a", None)
    runner.tick(T0)
    assert list(runner.due) == ["b"]


def test_a_bad_schedule_leaves_that_job_out_and_says_why(jobs: Path) -> None:
    lines: list[str] = []
    runner = CronRunner(jobs, log=lines.append)
    _job(jobs, "bad", "pass", "61 * * * *")
    _job(jobs, "good", "pass")
    runner.tick(T0)
    assert list(runner.due) == ["good"]
    assert any("job bad: schedule: minute 61 is out of range" in line for line in lines)


def test_a_command_that_cannot_start_is_logged_as_a_run(jobs: Path, runner: CronRunner) -> None:
    write_entry(
        jobs,
        jobs.parent.parent / "log" / "cron",
        "gone",
        {"command": ["/nonexistent/prog"], "schedule": "* * * * *"},
    )
    runner.tick(T0)
    runner.tick(T0 + MINUTE)
    [run] = _runs(jobs, "gone")
    assert run["exit_status"] is None and "nonexistent" in run["error"]


def test_run_cron_runs_due_jobs_until_told_to_stop(jobs: Path) -> None:
    _job(jobs, "tick", "print('tock')")
    moments = iter([T0, T0 + MINUTE] + [T0 + MINUTE + timedelta(seconds=s) for s in range(1, 60)])
    stop = threading.Event()
    done: list[int] = []
    thread = threading.Thread(
        target=lambda: done.append(run_cron(jobs, clock=lambda: next(moments), stop=stop))
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not _runs(jobs, "tick") and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert done == [0]
    assert [run["output_tail"] for run in _runs(jobs, "tick")] == ["tock"]


def test_the_cli_has_the_cron_subcommand() -> None:
    result = CliRunner().invoke(agent_cli.app, ["cron", "--help"])
    assert result.exit_code == 0
    assert "--jobs" in result.output
