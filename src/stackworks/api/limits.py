"""How much a request may ask of the server before it is refused, configurable by environment.

STACKWORKS_MAX_BODY_BYTES    largest request body, in bytes (10 MiB): larger ones get 413
STACKWORKS_MAX_JSON_DEPTH    deepest nesting of arrays and objects in a JSON body (64): 422
STACKWORKS_AUTH_FAILURES     401 answers one client address may get in the window (20) ...
STACKWORKS_AUTH_WINDOW       ... of this many seconds (60) before it gets 429 until one expires
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_JSON_DEPTH = 64
DEFAULT_AUTH_FAILURES = 20
DEFAULT_AUTH_WINDOW = 60.0


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass(frozen=True)
class RequestLimits:
    """The limits in force; read from the environment when the app is made."""

    max_body_bytes: int = field(
        default_factory=lambda: _env_int("STACKWORKS_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)
    )
    max_json_depth: int = field(
        default_factory=lambda: _env_int("STACKWORKS_MAX_JSON_DEPTH", DEFAULT_MAX_JSON_DEPTH)
    )
    auth_failures: int = field(
        default_factory=lambda: _env_int("STACKWORKS_AUTH_FAILURES", DEFAULT_AUTH_FAILURES)
    )
    auth_window: float = field(
        default_factory=lambda: _env_float("STACKWORKS_AUTH_WINDOW", DEFAULT_AUTH_WINDOW)
    )
