"""nginx::setup: install nginx and create the directories its files live in.
The distribution's own nginx service, which apt starts on its ports, is switched off
(stackworks.cookbooks.stackworks.system_services)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stackworks.cookbooks.nginx import config
from stackworks.cookbooks.stackworks import system_services

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.package("nginx", provider="apt")
    system_services.switch_off(r, "nginx")
    paths = config.layout(r.roots)
    r.directory(str(Path(paths.conf).parent), mode=0o755)
    r.directory(paths.temp, mode=0o755)
