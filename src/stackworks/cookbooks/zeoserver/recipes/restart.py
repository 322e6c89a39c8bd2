"""zeoserver::restart: restart the ZEO server (its clients reconnect by themselves)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.zeoserver import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    declare.configure(r, ("enable", "restart"))
