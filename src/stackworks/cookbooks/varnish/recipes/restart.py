"""varnish::restart (seed 001's varnish-restart): restart varnishd; its cache starts empty."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.varnish import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    service.declare(r, ("enable", "restart"))
