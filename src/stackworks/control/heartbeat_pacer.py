"""The heartbeat pace in force on this server (domain/heartbeat_pacing.py), counted from the
database every few seconds and shared by the API threads and the orchestrator.

Every replica counts the same fleet from the same database, so all of them tell the agents the
same interval. A fleet that shrinks gets shorter intervals at once, but its time-outs keep the
longest stretch of the last `HOLD` seconds: an agent told to beat every 50 s just before must
not be taken for lost because the next count allows 10 s.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from sqlalchemy.orm import Session

from stackworks.control.settings import Settings
from stackworks.domain.heartbeat_pacing import asked_rate, stretch_factor
from stackworks.store import instances as instance_store
from stackworks.store import stacks as stack_store

#: seconds a count stands
REFRESH = 5.0
#: seconds a stretch keeps holding the time-outs after the count fell (the longest interval it
#: can have told, MAX_FACTOR times the default 5 s, is 600 s)
HOLD = 900.0


class HeartbeatPacer:
    """How much this server stretches heartbeat intervals and time-outs just now."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._factor = 1.0
        self._counted_at: float | None = None
        self._recent: deque[tuple[float, float]] = deque()  # (when counted, factor)

    def interval_factor(self, session: Session) -> float:
        """The stretch of the intervals the agents are told."""
        self._refresh(session)
        return self._factor

    def timeout_factor(self, session: Session) -> float:
        """The stretch of the time-outs: the largest of the last HOLD seconds."""
        self._refresh(session)
        with self._lock:
            return max([self._factor, *(factor for _, factor in self._recent)])

    def _refresh(self, session: Session) -> None:
        if self._settings.max_heartbeats_per_second <= 0:
            return
        now = self._clock()
        with self._lock:
            if self._counted_at is not None and now - self._counted_at < REFRESH:
                return
            self._counted_at = now  # one thread counts; the others use the last count meanwhile
        factor = stretch_factor(self._asked_rate(session), self._settings.max_heartbeats_per_second)
        with self._lock:
            self._factor = factor
            self._recent.append((now, factor))
            while self._recent and now - self._recent[0][0] > HOLD:
                self._recent.popleft()

    def _asked_rate(self, session: Session) -> float:
        own = stack_store.heartbeat_settings(session)
        agents = instance_store.agents_per_stack(session)
        return asked_rate(
            (count, self._settings.heartbeat_from(*own.get(stack_id, (None, None))).interval)
            for stack_id, count in agents.items()
        )
