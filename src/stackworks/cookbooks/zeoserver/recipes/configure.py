"""zeoserver::configure (also start): zeo.conf re-rendered from the stack; the server restarts
only when it changed (its address, port or data paths), else keeps running. It runs on the
venv in use (installing one only when there is none: deploy and setup install)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.zeoserver import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    declare.configure(r)
