"""haproxy::stop (also shutdown): stop HAProxy; its configuration stays for the next start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.haproxy import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    service.declare(r, "stop")
