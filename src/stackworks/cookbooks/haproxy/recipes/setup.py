"""haproxy::setup: install HAProxy and create the directory its configuration lives in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.haproxy import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.package("haproxy", provider="apt")
    r.directory(str(service.config_path(r).parent), mode=0o755)
