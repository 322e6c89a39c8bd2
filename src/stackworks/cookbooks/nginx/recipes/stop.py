"""nginx::stop (also shutdown): stop nginx gracefully; its configuration stays."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.nginx import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    service.declare(r, "stop")
