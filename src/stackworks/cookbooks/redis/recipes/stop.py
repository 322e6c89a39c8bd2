"""redis::stop (also shutdown): stop redis-server; its configuration and data stay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.redis import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.service(declare.SERVICE, action="stop")
