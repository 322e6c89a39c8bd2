"""What an audit record keeps of a request body: everything but its secrets, within a size.

A secret is never stored, not even for the admin reading the log: values under secret-named keys
(password, token, credential, private key, ...), the value of any `{"value": ..., "secure": true}`
entry (app environments), and a URL's user part all become FILTERED. Pure
functions, no I/O: the API's audit middleware calls them (docs/api.md, "Audit log").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from stackworks.domain.entities import FILTERED

#: the stored body, as JSON text, is cut beyond this many characters (after masking)
MAX_STORED_CHARS = 16_384
#: a body larger than this is not even parsed: the record says only its size
MAX_PARSED_BYTES = 1_048_576
MAX_DEPTH = 32


@dataclass(frozen=True)
class AuditRecord:
    """One request that asked for a change: who, when, which route on what, how it ended."""

    action: str  # method and route template: "PATCH /stacks/{stack}/apps/{app}"
    target: str  # the path itself: "/stacks/shop/apps/web"
    status_code: int
    principal: str | None = None  # None: no valid token was presented
    stack: str | None = None
    changes: dict[str, Any] = field(default_factory=dict)  # the body, secrets masked
    at: datetime | None = None
    seq: int = 0


_SECRET_KEY = re.compile(
    r"(password|passwd|passphrase|secret|token|credential|private_?key|ssh_?key|api_?key|"
    r"access_?key|authorization|cookie)",
    re.IGNORECASE,
)
_URL_USER = re.compile(r"^([a-z][a-z0-9+.-]*://)[^/@\s]*@", re.IGNORECASE)


def is_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key))


def mask(value: Any, depth: int = 0) -> Any:
    """`value` with every secret in it replaced by FILTERED (a new object; `value` is kept)."""
    if depth > MAX_DEPTH:
        return "[nested too deep]"
    if isinstance(value, dict):
        # an environment entry: Stackworks' {"value", "secure"}, OpsWorks' {"Value", "Secure"}
        secure = value.get("secure") is True or value.get("Secure") is True
        masked: dict[str, Any] = {}
        for key, item in value.items():
            name = str(key)
            is_value = name in ("value", "Value")
            if (is_secret_key(name) or (secure and is_value)) and item not in (None, ""):
                masked[name] = FILTERED
            else:
                masked[name] = mask(item, depth + 1)
        return masked
    if isinstance(value, list):
        return [mask(item, depth + 1) for item in value]
    if isinstance(value, str):
        # a URL's user part may be `user:password` or a token alone: all of it goes
        return _URL_USER.sub(lambda m: f"{m.group(1)}{FILTERED}@", value, count=1)
    return value


def stored_body(raw: bytes, content_type: str, size: int | None = None) -> dict[str, Any]:
    """What the record keeps of a body: `{"body": masked JSON}`, or a note of what it was.

    `size` is the whole body's length when `raw` holds only its start (a body too big to keep)."""
    size = len(raw) if size is None else size
    if size == 0:
        return {}
    if size > MAX_PARSED_BYTES:
        return {"omitted": f"a body of {size} bytes"}
    if "json" not in content_type.lower():
        return {"omitted": f"a {content_type or 'untyped'} body of {len(raw)} bytes"}
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return {"omitted": f"a body of {len(raw)} bytes that is not valid JSON"}
    masked = mask(parsed)
    text = json.dumps(masked, separators=(",", ":"), ensure_ascii=False)
    if len(text) > MAX_STORED_CHARS:
        return {"truncated": text[:MAX_STORED_CHARS], "bytes": len(raw)}
    return {"body": masked}
