"""The part of a stack configuration that is the same for every instance, and its version.

A command's configuration (docs/stack-configuration.md) is mostly the instance's own: its
attributes, its apps (with the secrets only it may see), `self`, the command. Two sections are
the stack's and grow with it: `layers` (each with its online instances) and `instances` (every
online instance). Inlined in each command, a configure fan-out to N instances carried N copies
of an O(N) document, built, stored and sent N times. Instead the shared sections are built once
per stack state, named by a digest of their content (the version), stored once, and fetched by
an agent once per version (docs/agent-protocol.md, "Stack configuration").

The shared sections hold no secret (instance names, addresses, statuses and layers), so an
agent may fetch them with no more than its stack's credential; the secrets stay in the
command's own part, sealed at rest.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

JSON = dict[str, Any]

#: the top-level sections of a configuration that every instance of the stack shares
SHARED_SECTIONS = ("layers", "instances")


def digest(stack_id: str, shared: JSON) -> str:
    """The version of `shared`: a SHA-256 of the stack id and the canonical JSON, so the same
    state always gets the same version and any change a new one."""
    canonical = json.dumps(
        {"stack_id": stack_id, "shared": shared},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def split(configuration: JSON) -> tuple[JSON, JSON]:
    """(the instance's own part, the shared part) of a whole configuration."""
    own = {k: v for k, v in configuration.items() if k not in SHARED_SECTIONS}
    shared = {k: configuration[k] for k in SHARED_SECTIONS if k in configuration}
    return own, shared


def join(own: JSON, shared: JSON) -> JSON:
    """The whole configuration again (a copy of neither: callers that change it copy first)."""
    return {**own, **{k: shared[k] for k in SHARED_SECTIONS if k in shared}}
