"""varnish::stop (also shutdown): stop varnishd; its VCL and secret stay for the next start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.varnish import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    service.declare(r, "stop")
