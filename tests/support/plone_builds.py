"""Plone builds that share their downloads across tests: one wheelhouse of the sample project.

Each Plone test stack builds Plone 6 with pip several times (the ZEO server's venv, one release
per Plone instance, one more per new revision), and pip asks the package index about some 300
distributions on every build, even with its cache warm. So the tests build a wheelhouse of
examples/plone/project (`pip wheel -c constraints.txt -r requirements.txt`) once, in a folder
kept across runs (`~/.cache/stackworks-test-wheels/<digest of the pins and the interpreter>`,
or under `$STACKWORKS_TEST_WHEELHOUSE`), and give the server the environment that makes every
build in the stack install from it, with no index: `PIP_FIND_LINKS` and `PIP_NO_INDEX` reach
the agents' pip through the server, supervisord and the agent, which all pass their
environment on. The builds themselves are unchanged: the same recipes run the same `pip
install`, only from local wheels.

A wheelhouse is complete or absent: it is built in a temporary folder beside its place and
renamed there at the end, under a file lock, so two test runs never use half of one.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2] / "examples" / "plone" / "project"
#: build backends a new revision's own local add-on needs (pip's build isolation installs them)
BUILD_REQUIREMENTS = ("setuptools", "wheel")
WHEEL_TIMEOUT = 1500.0


def wheelhouse_root() -> Path:
    configured = os.environ.get("STACKWORKS_TEST_WHEELHOUSE")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "stackworks-test-wheels"


def pins_digest(project: Path = PROJECT) -> str:
    """What a wheelhouse is valid for: the project's pins, its requirements and the Python."""
    digest = hashlib.sha256()
    for name in ("requirements.txt", "constraints.txt"):
        digest.update((project / name).read_bytes())
    digest.update(f"{sys.version_info[:2]} {sys.platform}".encode())
    digest.update(" ".join(BUILD_REQUIREMENTS).encode())
    return digest.hexdigest()[:16]


def wheelhouse(project: Path = PROJECT, root: Path | None = None) -> Path:
    """The project's wheelhouse, built first when it is not there yet (minutes when pip's
    cache is cold; nothing when it is there)."""
    base = root or wheelhouse_root()
    target = base / pins_digest(project)
    if target.is_dir():
        return target
    base.mkdir(parents=True, exist_ok=True)
    with (base / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_dir():
            return target
        building = base / f"{target.name}.building-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        started = time.monotonic()
        try:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "wheel",
                    "--disable-pip-version-check",
                    "--no-input",
                    "--quiet",
                    "--wheel-dir",
                    str(building),
                    "-c",
                    str(project / "constraints.txt"),
                    "-r",
                    str(project / "requirements.txt"),
                    *BUILD_REQUIREMENTS,
                ],
                check=True,
                timeout=WHEEL_TIMEOUT,
            )
            building.rename(target)
        finally:
            shutil.rmtree(building, ignore_errors=True)
        print(f"wheelhouse {target} built in {time.monotonic() - started:.0f}s")
    return target


def offline_pip_environment(wheels: Path) -> dict[str, str]:
    """The environment that makes every pip install of the stack use `wheels` only."""
    return {"PIP_FIND_LINKS": str(wheels), "PIP_NO_INDEX": "1"}
