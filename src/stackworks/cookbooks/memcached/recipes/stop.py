"""memcached::stop (also shutdown): stop memcached; its definition stays."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.memcached import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.service(service.SERVICE, action="stop")
