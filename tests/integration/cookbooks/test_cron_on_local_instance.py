"""A cron job on a real local instance: the resource defines `stackworks agent cron` under the
instance's own supervisord, which runs the job at the next minute and logs the run.

The job is due at most a minute after the converge, so this test takes up to ~65 s.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from integration.cookbooks.cookbook_instances import Instance, configuration
from stackworks.converge import run_recipes
from support.processes import wait_until

pytestmark = pytest.mark.integration

RECIPE = """
import sys

def recipe(r):
    r.cron(
        "stamp",
        command=[sys.executable, "-c", "import os; print('ran in', os.getcwd())"],
        schedule="* * * * *",
        cwd=r.roots["srv"],
        timeout=30,
    )
"""


def test_the_instances_cron_program_runs_a_due_job_and_logs_it(
    make_instance: Callable[[str, str, list[str]], Instance], tmp_path: Path
) -> None:
    web = make_instance("web1", "127.77.202.1", ["web"])
    cookbooks = tmp_path / "cookbooks"
    (cookbooks / "jobs" / "recipes").mkdir(parents=True)
    (cookbooks / "jobs" / "recipes" / "default.py").write_text(RECIPE)
    config = configuration(web, [web], repo_url="", attributes={})
    lines: list[str] = []
    report = run_recipes(["jobs"], config, cookbook_paths=[cookbooks], log=lines.append)
    assert report.ok, f"{report.error}\n" + "\n".join(lines)
    assert "RUNNING" in web.supervisorctl("status", "stackworks-cron")

    log = Path(web.roots["log"]) / "cron" / "stamp.log"
    wait_until(lambda: log.exists() and log.read_text().strip() != "", timeout=75, what="a run")
    run = json.loads(log.read_text().splitlines()[0])
    assert run["exit_status"] == 0 and run["timed_out"] is False
    assert run["output_tail"] == f"ran in {web.roots['srv']}"

    again = run_recipes(["jobs"], config, cookbook_paths=[cookbooks], log=lambda _: None)
    assert [r.status for r in again.resources] == ["unchanged"]
    assert (
        sys.executable
        in (Path(web.roots["etc"]) / "supervisor.d" / "stackworks-cron.conf").read_text()
    )
