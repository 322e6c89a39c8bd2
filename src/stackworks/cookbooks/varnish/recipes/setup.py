"""varnish::setup: install Varnish and create the directories its files live in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.cookbooks.varnish import vcl

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.package("varnish", provider="apt")
    paths = vcl.layout(r.roots)
    r.directory(str(Path(paths.vcl).parent), mode=0o755)
    r.directory(paths.workdir, mode=0o755)
