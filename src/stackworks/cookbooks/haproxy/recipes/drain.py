"""haproxy::drain: take one app instance (args.server) out of rotation and wait for its sessions
to end, so a rolling deploy can restart it without failing a request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackworks.cookbooks.haproxy import service

if TYPE_CHECKING:
    from stackworks.converge import Recipe


def recipe(r: Recipe) -> None:
    service.runtime_action(r, "drain")
