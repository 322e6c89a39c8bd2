"""Fixtures of the cookbook integration tests: instances with their own supervisord, an app repo.

Each supervisord starts in a new session and is ended by its session id at teardown.
`offline_pip` makes the recipes' pip builds of the sample Plone project install from its
wheelhouse (support/plone_builds.py), as the e2e Plone stacks do, instead of asking the index
about some 240 distributions on every build.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from integration.cookbooks.cookbook_instances import (
    SAMPLE_APP,
    Instance,
    commit,
    git,
    write_supervisord_conf,
)
from support.plone_builds import offline_pip_environment, wheelhouse
from support.processes import end_session, wait_until


@pytest.fixture
def make_instance(tmp_path: Path) -> Iterator[Callable[[str, str, list[str]], Instance]]:
    """Start instances with their own supervisord; every one is ended at teardown."""
    started: list[subprocess.Popen[bytes]] = []

    def make(hostname: str, private_ip: str, layers: list[str]) -> Instance:
        instance = Instance(hostname, private_ip, tmp_path / hostname, layers)
        write_supervisord_conf(instance)
        process = subprocess.Popen(
            [sys.executable, "-m", "supervisor.supervisord", "-c", str(instance.conf)],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        wait_until(
            lambda: instance.supervisorctl("pid").strip().isdigit(),
            timeout=15,
            what=f"supervisord of {hostname}",
        )
        return instance

    yield make
    for process in started:
        end_session(process.pid)
        process.wait(timeout=10)


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """The sample app as a git repository with one commit on `main`."""
    repo = tmp_path / "sample_app.git-src"
    shutil.copytree(SAMPLE_APP, repo, ignore=shutil.ignore_patterns("__pycache__", ".venv"))
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "-A")
    commit(repo, "first")
    return repo


@pytest.fixture
def offline_pip(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample Plone project's wheelhouse, which every pip the recipes of this test run
    (in this process: the converge runner passes its environment on) installs from, offline."""
    wheels = wheelhouse()
    for name, value in offline_pip_environment(wheels).items():
        monkeypatch.setenv(name, value)
    return wheels
