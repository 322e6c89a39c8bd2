"""python_app::stop: stop the processes of every app deployed here (they stay defined)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.python_app import declare

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    declare.current_services(r, "stop")
