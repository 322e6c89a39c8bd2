"""service[...] under systemd: the unit it writes and the systemctl calls it makes (faked)."""

from __future__ import annotations

from pathlib import Path

from converge_harness import ConvergeFn, Cookbooks

from stackworks.converge import FakeRunner
from stackworks.converge.providers.services import ServiceSpec
from stackworks.converge.providers.systemd import render_unit

RECIPE = """
def recipe(r):
    r.service("web", command=["/srv/venv/bin/gunicorn", "app:wsgi", "-b", "127.0.0.1:8000"],
              directory="/srv/app", environment={"GREETING": "100% \\"hi\\""}, user="www",
              reload_signal="USR2")
"""


def test_unit_quotes_arguments_and_environment() -> None:
    spec = ServiceSpec(
        "web",
        ["/bin/app", "a b", "$HOME"],
        "/srv",
        {"K": 'v "q" 5%'},
        None,
        "TERM",
        "HUP",
        10,
        True,
    )
    unit = render_unit(spec)
    assert 'ExecStart="/bin/app" "a b" "$$HOME"' in unit
    assert 'Environment="K=v \\"q\\" 5%%"' in unit
    assert "KillMode=control-group" in unit and "Restart=always" in unit


def test_first_run_writes_the_unit_enables_and_starts(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str]
) -> None:
    runner = FakeRunner()
    runner.answer(("systemctl", "is-enabled"), exit_code=1, output="disabled\n")
    runner.answer(("systemctl", "is-active"), exit_code=3, output="inactive\n")
    cookbooks.recipe("demo", "default", RECIPE)
    run = converge(["demo"], runner=runner, service_manager="systemd")
    assert run.report.ok, run.report.error
    unit = Path(roots["etc"]) / "systemd" / "system" / "web.service"
    assert "ExecReload=/bin/kill -s USR2 $MAINPID" in unit.read_text()
    assert "User=www" in unit.read_text()
    acted = [c[1:] for c in runner.ran("systemctl") if c[1] not in ("is-enabled", "is-active")]
    assert acted == [("daemon-reload",), ("enable", "web.service"), ("start", "web.service")]


def test_unchanged_running_service_is_left_alone_and_a_changed_one_restarts(
    cookbooks: Cookbooks, converge: ConvergeFn, roots: dict[str, str]
) -> None:
    runner = FakeRunner()
    runner.answer(("systemctl", "is-enabled"), exit_code=1, output="disabled\n")
    runner.answer(("systemctl", "is-active"), exit_code=3, output="inactive\n")
    cookbooks.recipe("demo", "default", RECIPE)
    converge(["demo"], runner=runner, service_manager="systemd")
    runner.answer(("systemctl", "is-enabled"), output="enabled\n")
    runner.answer(("systemctl", "is-active"), output="active\n")
    runner.calls.clear()
    again = converge(["demo"], runner=runner, service_manager="systemd")
    assert again.statuses() == [("service[web]", "unchanged")]
    cookbooks.recipe("demo", "default", RECIPE.replace("127.0.0.1:8000", "127.0.0.1:8001"))
    runner.calls.clear()
    changed = converge(["demo"], runner=runner, service_manager="systemd")
    acted = [c[1:] for c in runner.ran("systemctl") if c[1] not in ("is-enabled", "is-active")]
    assert acted == [("daemon-reload",), ("restart", "web.service")]
    assert changed.report.resources[0].message == "write definition, restart"
    assert "GREETING" not in changed.output
