"""nginx::setup: install nginx and create the directories its files live in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.cookbooks.nginx import config

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.package("nginx", provider="apt")
    paths = config.layout(r.roots)
    r.directory(str(Path(paths.conf).parent), mode=0o755)
    r.directory(paths.temp, mode=0o755)
