"""zeoserver::stop (also shutdown): stop the ZEO server; its definition and data stay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.zeoserver import config

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.service(config.SERVICE, action="stop")
