"""redis::setup: install redis-server (apt), write redis.conf and start the server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.redis import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.package("redis-server", provider="apt")
    declare.configure(r)
