"""service[...] under a real supervisord in a tmp dir (its own session, killed at teardown)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from converge_harness import ConvergeFn, Cookbooks

SLEEPER = "import signal,sys,time; signal.signal(signal.SIGHUP, lambda *a: open(sys.argv[1], 'a').write('hup\\n')); time.sleep(600)"  # noqa: E501


@pytest.fixture
def roots() -> Iterator[dict[str, str]]:
    """Short paths: a unix socket path must stay under ~100 characters."""
    base = Path(tempfile.mkdtemp(prefix="swcv", dir="/tmp"))
    found = {
        "root": str(base),
        "srv": str(base / "srv"),
        "etc": str(base / "etc"),
        "var": str(base / "var"),
        "log": str(base / "log"),
        "run": str(base / "run"),
    }
    for path in found.values():
        Path(path).mkdir(parents=True, exist_ok=True)
    yield found
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def supervisord(roots: dict[str, str]) -> Iterator[None]:
    etc, run, log = roots["etc"], roots["run"], roots["log"]
    (Path(etc) / "supervisor.d").mkdir(exist_ok=True)
    conf = Path(etc) / "supervisord.conf"
    conf.write_text(
        f"[unix_http_server]\nfile={run}/supervisor.sock\n\n"
        f"[supervisord]\nlogfile={log}/supervisord.log\npidfile={run}/supervisord.pid\n"
        "nodaemon=true\n\n"
        "[rpcinterface:supervisor]\n"
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n\n"
        f"[supervisorctl]\nserverurl=unix://{run}/supervisor.sock\n\n"
        f"[include]\nfiles={etc}/supervisor.d/*.conf\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "supervisor.supervisord", "-c", str(conf)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while not (Path(run) / "supervisor.sock").exists():
            assert time.monotonic() < deadline, "supervisord did not start"
            time.sleep(0.05)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def ctl(roots: dict[str, str], *args: str) -> str:
    conf = str(Path(roots["etc"]) / "supervisord.conf")
    return subprocess.run(
        [sys.executable, "-m", "supervisor.supervisorctl", "-c", conf, *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout.strip()


def _recipe(marker: Path, extra: str = "") -> str:
    return f"""
        def recipe(r):
            conf = r.file({str(marker.parent / "app.conf")!r}, content=r.node.conf)
            svc = r.service("sleeper", command=[{sys.executable!r}, "-c", {SLEEPER!r},
                            {str(marker)!r}], environment={{"MODE": r.node.mode}})
            conf.notifies(r.node.note, svc)
            {extra}
    """


@pytest.mark.usefixtures("supervisord")
def test_service_starts_then_later_runs_change_nothing(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str]
) -> None:
    marker = Path(roots["var"]) / "hups"
    cookbooks.recipe("demo", "default", _recipe(marker))
    attrs = {"conf": "1", "mode": "a", "note": "restart"}
    dry = converge(["demo"], attributes=attrs, dry_run=True)
    assert dry.status_of("service", "sleeper") == ["would_change"]
    assert not (Path(roots["etc"]) / "supervisor.d" / "sleeper.conf").exists()

    first = converge(["demo"], attributes=attrs)
    assert first.report.ok, first.report.error
    # the delayed restart from the new file is redundant: the service started after it
    assert first.status_of("service", "sleeper") == ["changed", "unchanged"]
    assert "RUNNING" in ctl(roots, "status", "sleeper")
    program = (Path(roots["etc"]) / "supervisor.d" / "sleeper.conf").read_text()
    assert "stopasgroup=true" in program and "killasgroup=true" in program
    assert f"stdout_logfile={roots['log']}/sleeper.log" in program
    pid = ctl(roots, "pid", "sleeper")

    second = converge(["demo"], attributes=attrs)
    assert second.status_of("service", "sleeper") == ["unchanged"]
    assert ctl(roots, "pid", "sleeper") == pid

    changed = converge(["demo"], attributes={**attrs, "mode": "b"})
    assert changed.status_of("service", "sleeper") == ["changed"]
    assert "MODE" not in changed.output or '"b"' not in changed.output
    restarted = ctl(roots, "pid", "sleeper")
    assert restarted != pid and "RUNNING" in ctl(roots, "status", "sleeper")

    notified = converge(["demo"], attributes={**attrs, "mode": "b", "conf": "2"})
    assert notified.status_of("service", "sleeper") == ["unchanged", "changed"]
    assert ctl(roots, "pid", "sleeper") != restarted


@pytest.mark.usefixtures("supervisord")
def test_reload_signals_and_stop_disable_removes_the_program(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str]
) -> None:
    marker = Path(roots["var"]) / "hups"
    cookbooks.recipe("demo", "default", _recipe(marker))
    attrs = {"conf": "1", "mode": "a", "note": "reload"}
    assert converge(["demo"], attributes=attrs).report.ok
    pid = ctl(roots, "pid", "sleeper")
    run = converge(["demo"], attributes={**attrs, "conf": "2"})
    assert run.status_of("service", "sleeper") == ["unchanged", "changed"]
    deadline = time.monotonic() + 10
    while not marker.exists():
        assert time.monotonic() < deadline, "the program never got SIGHUP"
        time.sleep(0.05)
    assert ctl(roots, "pid", "sleeper") == pid

    cookbooks.recipe(
        "demo",
        "default",
        """
        def recipe(r):
            r.service("sleeper", action=("stop", "disable"))
    """,
    )
    stopped = converge(["demo"])
    assert stopped.report.ok, stopped.report.error
    assert stopped.report.resources[0].message == "stop, disable"
    assert not (Path(roots["etc"]) / "supervisor.d" / "sleeper.conf").exists()
    assert "no such process" in ctl(roots, "status", "sleeper").lower()
    assert converge(["demo"]).statuses() == [("service[sleeper]", "unchanged")]


@pytest.mark.usefixtures("supervisord")
def test_a_program_that_cannot_start_fails_with_its_log(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str]
) -> None:
    cookbooks.recipe(
        "demo",
        "default",
        f"""
        def recipe(r):
            r.service("broken", command=[{sys.executable!r}, "-c",
                      "print('cannot bind port'); raise SystemExit(1)"], autorestart=False)
    """,
    )
    run = converge(["demo"])
    assert not run.report.ok
    assert run.statuses() == [("service[broken]", "failed")]
    assert "cannot bind port" in run.report.resources[0].message
