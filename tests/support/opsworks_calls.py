"""Calling an OpsWorks operation by its name, with IDs filled into its parameters: how tests
walk a table of operations (boto3 names its methods in snake case)."""

from __future__ import annotations

import re
from typing import Any


def call(client: Any, operation: str, params: dict[str, Any], ids: dict[str, str]) -> Any:
    """`client.<operation in snake case>(**params)`, each "{name}" in a string (or a list's
    strings) replaced by `ids[name]`."""

    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value.format(**ids) if isinstance(value, str) else value

    method = getattr(client, re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower())
    return method(**{key: fill(value) for key, value in params.items()})
