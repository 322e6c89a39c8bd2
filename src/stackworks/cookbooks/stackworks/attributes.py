"""Default attributes of the built-in `stackworks` cookbook: none (it reads the configuration)."""

from typing import Any

DEFAULTS: dict[str, Any] = {}
