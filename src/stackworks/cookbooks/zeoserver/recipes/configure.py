"""zeoserver::configure (also deploy and start): zeo.conf re-rendered from the stack; the
server restarts only when it changed (its address, port or data paths), else keeps running."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.zeoserver import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    declare.install(r)
    declare.configure(r)
