"""haproxy::enable: put one app instance (args.server) back in rotation and wait until HAProxy's
health checks see it up."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.haproxy import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    service.runtime_action(r, "enable")
