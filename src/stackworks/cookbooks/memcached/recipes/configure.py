"""memcached::configure (also start): the service as the attributes say; it restarts only
when its definition (address, port, memory ...) changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.memcached import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    service.declare(r, ("enable", "start"))
