"""zeoserver::deploy: ZEO installed again from the current pins (the app's constraints.txt at
its revision, when an app is deployed on this layer): new pins make a new venv and restart the
server on it; the same pins change nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.zeoserver import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    key = declare.install(r)
    declare.configure(r, key=key)
