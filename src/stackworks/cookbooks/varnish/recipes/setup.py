"""varnish::setup: install Varnish and create the directories its files live in.
The distribution's own varnish service, which apt starts on its ports, is switched off
(stackworks.cookbooks.stackworks.system_services)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.cookbooks.stackworks import system_services
from stackworks.cookbooks.varnish import vcl

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.package("varnish", provider="apt")
    system_services.switch_off(r, "varnish")
    paths = vcl.layout(r.roots)
    r.directory(str(Path(paths.vcl).parent), mode=0o755)
    r.directory(paths.workdir, mode=0o755)
