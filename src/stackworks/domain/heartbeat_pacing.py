"""Heartbeats paced to what a server takes: a large fleet beats less often, not slower.

Each stack sets how often its agents heartbeat (5 s by default) and how long a silence means
an instance is lost (15 s). That suits tens or hundreds of instances; 5,000 agents beating
every 5 s would ask the server for 1,000 heartbeats a second, more than the control plane of
a small cluster can answer promptly (bench/agents_bench.py). So the server caps the rate it
asks for: when the fleet's agents together would beat faster than `max_per_second`, every
stack's interval, and its time-out with it, is stretched by the same factor, which the agents
learn from each heartbeat's answer. Detection of a lost instance then takes longer in the same
proportion (5,000 agents at 100 beats a second: every 50 s, lost after 150 s; OpsWorks took
about 5 minutes). The same idea as Nomad's `max_heartbeats_per_second`.

The long-poll is stretched too: an idle agent renews its poll every `wait` seconds (20 by
default), 250 renewals a second from 5,000 agents, each a request and a database look, more
than their paced heartbeats. A paced fleet is told to hold each poll `wait` times the factor,
at most MAX_POLL_WAIT: a poll is answered the moment a command is queued, so a longer wait
delays nothing, it only renews less often.
"""

from __future__ import annotations

from collections.abc import Iterable

#: the factor never goes past this: with the default 5 s, a heartbeat at least every 10 minutes
MAX_FACTOR = 120.0
#: an agent's long-poll wait unless configured (wire.agent_config) and the longest the server
#: holds a poll (below the 90 s an HAProxy in front waits for an answer, docs/high-availability.md)
POLL_WAIT = 20.0
MAX_POLL_WAIT = 60.0


def asked_rate(fleet: Iterable[tuple[int, float]]) -> float:
    """Heartbeats a second the fleet asks for at its stacks' own intervals: (agents, interval
    in seconds) per stack."""
    return sum(agents / interval for agents, interval in fleet if interval > 0)


def stretch_factor(rate: float, max_per_second: float) -> float:
    """By how much every interval and time-out is stretched so the fleet beats at most
    `max_per_second` (1.0: not at all; `max_per_second` 0 or less: no cap)."""
    if max_per_second <= 0 or rate <= max_per_second:
        return 1.0
    return min(MAX_FACTOR, rate / max_per_second)


def poll_wait_for(factor: float) -> float | None:
    """How long a paced fleet's agents hold each long-poll; None when not paced (factor 1:
    each agent keeps its own)."""
    if factor <= 1.0:
        return None
    return min(MAX_POLL_WAIT, POLL_WAIT * factor)
