"""Scrubbing secrets out of text: what the agent does to every log line before it leaves, and
the server again to every line it stores (an agent of an older version may not know every kind
of secret a configuration holds)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from stackworks.domain.entities import FILTERED


class Scrubber:
    """Replaces every secret with FILTERED; the longest first, so a secret containing another
    secret is masked whole."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def line(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, FILTERED)
        return text

    def json(self, value: Any) -> Any:
        """A copy of a JSON value (e.g. the converge report) with every string scrubbed."""
        if isinstance(value, str):
            return self.line(value)
        if isinstance(value, dict):
            return {self.line(str(k)): self.json(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.json(v) for v in value]
        return value
