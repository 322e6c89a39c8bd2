"""python_app::start: start the processes of every app deployed here (running ones stay)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.python_app import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    declare.current_services(r, ("enable", "start"))
