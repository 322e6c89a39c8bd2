"""Deltas between stack configuration versions, made once per pair and kept for the next agent.

In a configure fan-out every agent of the stack holds the same old version and is sent the same
new one, so the first poll answered makes the delta (domain/configuration_delta.py) and the
other N - 1 take it from here. A delta is sent only when it is worth it: smaller than
MAX_SHARE of the whole version, else the agent fetches the version as before.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable

from stackworks.domain import configuration_delta
from stackworks.domain.shared_configuration import JSON
from stackworks.wire.schemas import StackConfigurationDelta

#: (stack id, base version, target version) pairs kept
SIZE = 32
#: a delta larger than this share of the target version's JSON is not sent
MAX_SHARE = 0.5

#: loads (base, target) of the pair, both of the stack, or None if either is gone or another's
Loader = Callable[[], tuple[JSON, JSON] | None]


class ConfigurationDeltas:
    """The deltas of the last SIZE pairs asked for, None where none is worth sending."""

    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, str, str], StackConfigurationDelta | None] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(
        self, stack_id: str, base: str, target: str, load: Loader
    ) -> StackConfigurationDelta | None:
        """The delta from `base` to `target` of the stack; `load` runs once per pair, under the
        lock, so a fan-out's N polls answered at once make it once."""
        key = (stack_id, base, target)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
            loaded = load()
            delta = None if loaded is None else _worth_sending(base, *loaded)
            if loaded is not None:  # a version not found now may be saved later: ask again then
                self._kept[key] = delta
                if len(self._kept) > self._size:
                    self._kept.popitem(last=False)
            return delta


def _worth_sending(base: str, old: JSON, new: JSON) -> StackConfigurationDelta | None:
    delta = StackConfigurationDelta.of(base, configuration_delta.diff(old, new))
    size = len(delta.model_dump_json())
    return delta if size <= MAX_SHARE * len(json.dumps(new, separators=(",", ":"))) else None
