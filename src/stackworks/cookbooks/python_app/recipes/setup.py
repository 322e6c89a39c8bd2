"""python_app::setup: the directory apps are deployed under, and a working `venv` module."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.cookbooks.python_app import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.directory(str(Path(r.roots["srv"]) / "www"), mode=0o755)
    # Release virtualenvs are made with `<python> -m venv`; prove it works once, at setup,
    # rather than failing the first deploy. On Debian a missing python3-venv is the usual cause.
    python = declare.python(r)
    r.execute(
        "python venv tooling",
        command=[python, "-c", "import venv, ensurepip"],
    )
