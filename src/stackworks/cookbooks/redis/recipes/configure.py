"""redis::configure (also start): redis.conf re-rendered; the server restarts only when the
file changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.redis import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    declare.configure(r)
