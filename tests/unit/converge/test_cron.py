"""cron[...]: a job in the instance's jobs file run by its cron program, or a timer on a host."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from converge_harness import ConvergeFn, Cookbooks

from stackworks.converge import FakeRunner
from stackworks.converge.resources.cron import Cron

CTL = (sys.executable, "-m", "supervisor.supervisorctl")


def _recipe(cookbooks: Cookbooks, body: str) -> None:
    cookbooks.recipe("demo", "default", f"def recipe(r):\n    {body}\n")


def _supervisor(running: bool) -> FakeRunner:
    runner = FakeRunner()
    state = "RUNNING   pid 7, uptime 0:01:00" if running else "STOPPED"
    runner.answer([*CTL], output=f"stackworks-cron                  {state}\n")
    return runner


def test_on_a_local_instance_the_job_goes_to_the_jobs_file_and_the_runner_starts(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str]
) -> None:
    _recipe(
        cookbooks,
        "r.cron('pack', command=['bin/zeopack', '-d', '7'], schedule='0 3 * * sun',"
        " environment={'TZ': 'UTC'}, timeout=600)",
    )
    jobs = Path(roots["etc"]) / "stackworks" / "cron-jobs.json"
    program = Path(roots["etc"]) / "supervisor.d" / "stackworks-cron.conf"
    dry = converge(["demo"], dry_run=True, runner=_supervisor(running=False))
    assert dry.statuses() == [("cron[pack]", "would_change")]
    assert not jobs.exists() and not program.exists()

    runner = _supervisor(running=False)
    run = converge(["demo"], runner=runner)
    assert run.report.ok, run.report.error
    assert "add job" in run.report.resources[0].message
    document = json.loads(jobs.read_text())
    assert document["jobs"]["pack"] == {
        "command": ["bin/zeopack", "-d", "7"],
        "schedule": "0 3 * * sun",
        "environment": {"TZ": "UTC"},
        "user": None,
        "cwd": None,
        "timeout": 600.0,
    }
    assert document["log_dir"] == str(Path(roots["log"]) / "cron")
    assert f"agent cron --jobs {jobs}" in program.read_text()
    assert runner.ran(*CTL, "-c", str(Path(roots["etc"]) / "supervisord.conf"), "start")

    again = converge(["demo"], runner=_supervisor(running=True))
    assert again.statuses() == [("cron[pack]", "unchanged")]


def test_changing_a_job_rewrites_its_entry_only(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str]
) -> None:
    _recipe(cookbooks, "r.cron('a', command=['true'], schedule='@hourly')")
    converge(["demo"], runner=_supervisor(running=False))
    _recipe(cookbooks, "r.cron('b', command=['true'], schedule='@daily')")
    converge(["demo"], runner=_supervisor(running=True))
    _recipe(cookbooks, "r.cron('a', command=['true'], schedule='*/5 * * * *')")
    runner = _supervisor(running=True)
    run = converge(["demo"], runner=runner)
    assert run.report.resources[0].message == "update job"
    assert not runner.ran(*CTL, "-c", str(Path(roots["etc"]) / "supervisord.conf"), "restart")
    jobs = json.loads((Path(roots["etc"]) / "stackworks" / "cron-jobs.json").read_text())["jobs"]
    assert {n: j["schedule"] for n, j in jobs.items()} == {"a": "*/5 * * * *", "b": "@daily"}


def test_deleting_the_last_job_stops_the_runner(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str]
) -> None:
    _recipe(cookbooks, "r.cron('a', command=['true'], schedule='@hourly')")
    converge(["demo"], runner=_supervisor(running=False))
    _recipe(cookbooks, "r.cron('a', action='delete')")
    run = converge(["demo"], runner=_supervisor(running=True))
    assert run.report.ok, run.report.error
    assert "remove job" in run.report.resources[0].message
    assert not (Path(roots["etc"]) / "supervisor.d" / "stackworks-cron.conf").exists()
    assert converge(["demo"], runner=_supervisor(running=False)).statuses()[0][1] == "unchanged"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (
            "r.cron('x', command=['true'], schedule='61 * * * *')",
            "cron[x]: schedule: minute 61 is out of range",
        ),
        ("r.cron('x', command=['true'], schedule='* * *')", "cron[x]: schedule: expected 5 fields"),
        (
            "r.cron('x', command=[], schedule='@daily')",
            "cron[x]: command (an argv list) is required",
        ),
        ("r.cron('x y', command=['true'], schedule='@daily')", "cron[x y]: name must be"),
        ("r.cron('x', command=['true'], schedule='@daily', timeout=0)", "cron[x]: timeout must be"),
    ],
)
def test_bad_jobs_fail_naming_the_field_and_write_nothing(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str], body: str, error: str
) -> None:
    _recipe(cookbooks, body)
    run = converge(["demo"], runner=_supervisor(running=False))
    assert error in (run.report.error or "")
    assert not (Path(roots["etc"]) / "stackworks").exists()


def test_on_a_systemd_host_the_job_is_a_timer_and_a_oneshot_service(
    cookbooks: Cookbooks,
    converge: ConvergeFn,
    roots: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Cron, "systemd_marker", str(tmp_path))
    _recipe(
        cookbooks,
        "r.cron('pack', command=['/srv/plone/bin/zeopack'], schedule='0 3 * * sun', user='plone')",
    )
    runner = FakeRunner()
    run = converge(["demo"], runner=runner, service_manager="systemd")
    assert run.report.ok, run.report.error
    units = Path(roots["etc"]) / "systemd" / "system"
    timer = (units / "stackworks-cron-pack.timer").read_text()
    service = (units / "stackworks-cron-pack.service").read_text()
    assert "OnCalendar=Sun *-*-* 03:00:00" in timer
    assert "Type=oneshot" in service and "User=plone" in service
    assert 'ExecStart="/srv/plone/bin/zeopack"' in service
    assert runner.ran("systemctl", "daemon-reload")
    assert runner.ran("systemctl", "enable", "--now", "stackworks-cron-pack.timer")
    assert converge(["demo"], runner=FakeRunner(), service_manager="systemd").statuses() == [
        ("cron[pack]", "unchanged")
    ]
    _recipe(cookbooks, "r.cron('pack', action='delete')")
    removing = FakeRunner()
    converge(["demo"], runner=removing, service_manager="systemd")
    assert removing.ran("systemctl", "disable", "--now", "stackworks-cron-pack.timer")
    assert list(units.iterdir()) == []


def test_without_systemd_the_job_is_a_cron_d_entry_that_cannot_overlap(
    cookbooks: Cookbooks,
    converge: ConvergeFn,
    roots: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Cron, "systemd_marker", str(tmp_path / "no-systemd"))
    _recipe(
        cookbooks,
        "r.cron('pack', command=['zeopack', '50%'], schedule='0 3 * * *', environment={'A': 'b'})",
    )
    run = converge(["demo"], service_manager="systemd", runner=FakeRunner())
    assert run.report.ok, run.report.error
    entry = (Path(roots["etc"]) / "cron.d" / "stackworks-pack").read_text()
    assert "A=b\n" in entry
    line = entry.splitlines()[-1]
    assert line.startswith("0 3 * * * root /usr/bin/flock -n ")
    assert "/usr/bin/timeout --kill-after=10 3600 zeopack 50\\%" in line
