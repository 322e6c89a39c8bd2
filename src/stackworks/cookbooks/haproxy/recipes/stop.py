"""haproxy::stop (also shutdown): stop HAProxy; its configuration stays for the next start."""

from __future__ import annotations

from stackworks.converge import Recipe
from stackworks.cookbooks.haproxy import service


def recipe(r: Recipe) -> None:
    service.declare(r, "stop")
