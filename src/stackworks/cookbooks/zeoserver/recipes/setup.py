"""zeoserver::setup: ZEO in its own virtualenv, zeo.conf, and the ZEO server started."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.zeoserver import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    key = declare.install(r)
    declare.configure(r, key=key)
