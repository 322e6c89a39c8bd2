"""python_app::restart: restart the processes of every app deployed here, one at a time,
with `python_app.restart_delay` seconds between them so some copies always serve."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.python_app import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    declare.current_services(r, "restart", delay=float(declare.settings(r)["restart_delay"]))
