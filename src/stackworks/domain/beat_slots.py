"""Each agent's own moment in every period, so a fleet's periodic calls spread evenly.

An agent beats `interval` seconds after its last answer and renews its long-poll when the last
one ends. Left alone, a fleet's calls keep the phase something once gave them all at once: the
server telling a longer interval (every agent switches within one short interval of each
other), a configure delivered to all of them (their next polls start together), a slow spell
whose answers come out in a burst. At 5,000 agents paced to 100 heartbeats a second, 4,035 of a
window's beats were sent within 10 s and none in the 20 s before (bench/agents_bench.py, round
9): the server met 400 a second for a while, then nothing, and heartbeats waited seconds.

So each instance has a slot, a fixed fraction of any period drawn from its id, and the server
times its answers to it: a heartbeat's answer says how long until the agent's next slot (never
more than the interval), and a long-poll with nothing to deliver is answered at its slot
(never later than the wait it asked for). Whatever phase the agents had, after one call each
they are spread over the period as evenly as their ids. The slots count from the Unix epoch,
so every replica of a server gives an agent the same one.
"""

from __future__ import annotations

import hashlib

#: the soonest a slot may be, as a share of the period: a call is never answered with "again at
#: once", and one whose slot just passed waits a whole period instead (slightly off its slot)
LEAST_SHARE = 0.1


def slot_of(instance_id: str) -> float:
    """The instance's fixed place in any period, in [0, 1): the same on every replica."""
    digest = hashlib.blake2b(instance_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def until_slot(slot: float, period: float, now: float) -> float:
    """Seconds from `now` (Unix time) to the slot's next moment at least LEAST_SHARE of the
    period away, and at most one period: never longer than the caller would have waited."""
    if period <= 0:
        return 0.0
    least = period * LEAST_SHARE
    gap = (slot * period - now) % period  # to the slot's next moment, in [0, period)
    if gap < least:
        return period  # just passed or about to: a whole period, as without slots
    return gap


def until_instance_slot(instance_id: str, period: float, now: float) -> float:
    """`until_slot` for the instance's own slot."""
    return until_slot(slot_of(instance_id), period, now)
