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
"""

from __future__ import annotations

from collections.abc import Iterable

#: the factor never goes past this: with the default 5 s, a heartbeat at least every 10 minutes
MAX_FACTOR = 120.0


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
