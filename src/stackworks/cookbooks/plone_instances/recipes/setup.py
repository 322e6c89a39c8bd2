"""plone_instances::setup: the directory apps are deployed under, and a working `venv`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.cookbooks.plone_instances import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.directory(str(Path(r.roots["srv"]) / "www"), mode=0o755)
    r.execute("python venv tooling", command=[declare.python(r), "-c", "import venv, ensurepip"])
