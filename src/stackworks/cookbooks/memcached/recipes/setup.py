"""memcached::setup: install memcached (apt) and run it supervised on the private address."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.memcached import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    r.package("memcached", provider="apt")
    service.declare(r, ("enable", "start"))
