"""JSON answers that many callers fetch alike, encoded (and gzip-compressed) once per content.

A stack configuration version is the same bytes for every agent of the stack that fetches it:
encoding and compressing it once, not once per agent, keeps a fan-out's cost on the server to
one `json.dumps` and one gzip. Keys name content that never changes (a version's digest), so
an entry can never go stale; the least recently used ones are dropped beyond `size`.
"""

from __future__ import annotations

import gzip
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

#: bodies smaller than this are sent as they are: gzip would save little
MIN_COMPRESSED = 1024
GZIP_LEVEL = 6


@dataclass(frozen=True)
class EncodedBody:
    plain: bytes
    compressed: bytes | None  # None: not worth compressing


def encode(value: Any) -> EncodedBody:
    plain = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    if len(plain) < MIN_COMPRESSED:
        return EncodedBody(plain, None)
    return EncodedBody(plain, gzip.compress(plain, compresslevel=GZIP_LEVEL, mtime=0))


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (and does not refuse it with q=0)."""
    for part in accept_encoding.split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            quality = params.strip()
            return not quality.startswith("q=") or _quality(quality[2:]) > 0
    return False


def etag_matches(if_none_match: str, tag: str) -> bool:
    """Whether an If-None-Match header names `tag` (strong or weak) or is `*`."""
    for part in if_none_match.split(","):
        candidate = part.strip().removeprefix("W/").strip('"')
        if candidate in ("*", tag):
            return True
    return False


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


class EncodedBodies:
    """A bounded, thread-safe map of content digest -> encoded body."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._bodies: OrderedDict[str, EncodedBody] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._bodies

    def get(self, key: str, load: Callable[[], Any]) -> EncodedBody:
        """The body stored under `key`; on the first ask, `load()` gives the value to encode."""
        with self._lock:
            found = self._bodies.get(key)
            if found is not None:
                self._bodies.move_to_end(key)
                return found
        encoded = encode(load())
        with self._lock:
            self._bodies[key] = encoded
            while len(self._bodies) > self._size:
                self._bodies.popitem(last=False)
        return encoded
