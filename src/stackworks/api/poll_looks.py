"""Long-polls' first looks, many to a transaction (api/write_batches.py).

A poll first looks whether its instance has a command pending, checking its credential in the
same transaction, and only then waits with the hub (api/poll_hub.py). After a configure every
agent reports and polls again at about the same moment: 5,000 first looks, each a transaction
on one of the four threads of the agents' lane, queued by the thousand behind each other and
were shed by the ten thousand (bench/README.md, round 9). So the looks that arrive while one
batch is looked at are all looked at by the next: their credentials in one query, their next
commands found and delivered in a few (`deliver_many`, as the hub delivers). A look whose
credential names no instance is refused (401) alone. When more than ADMIT_AT_MOST wait, a poll
is refused at once (503, told when to come back by how fast the looks get done).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from stackworks.api.command_delivery import PollAsks, deliver_many
from stackworks.api.thread_lanes import Lane, ThreadLanes
from stackworks.api.write_batches import AgentWriteBatches
from stackworks.domain.entities import Instance
from stackworks.store.db import Database
from stackworks.wire import schemas

#: batches looked at once, on the agents' lane's four threads
WRITERS = 2
#: polls queued for a look beyond which one is refused (the lane's own bound was 200 calls of
#: one look each; these are looked at a hundred to a transaction)
ADMIT_AT_MOST = 1000


@dataclass(frozen=True)
class Look:
    """A poll's first look as it arrived: its agent's credential (hashed), not yet checked,
    and what the poll asked for."""

    credential_hash: str
    asks: PollAsks


@dataclass(frozen=True)
class Looked:
    """What the look found: the instance the credential names, and its next command (already
    marked sent) or None."""

    instance: Instance
    command: schemas.AgentCommand | None


class PollLooks(AgentWriteBatches[Look, Looked]):
    """Polls' first looks waiting; `write` raises Unauthenticated (401) for a credential that
    names no instance, Shed (503) when too many wait."""

    def __init__(
        self, db: Database, lanes: ThreadLanes, admit_at_most: int = ADMIT_AT_MOST
    ) -> None:
        super().__init__(db, lanes, Lane.AGENT_WORK, writers=WRITERS, admit_at_most=admit_at_most)

    def write_named(
        self, session: Session, writes: Sequence[tuple[Instance, Look]]
    ) -> list[Looked | Exception]:
        # an agent's abandoned poll and its new one may share a batch: the newest asks count
        asks = {instance.id: look.asks for instance, look in writes}
        delivered = deliver_many(session, asks)
        return [Looked(instance, delivered.get(instance.id)) for instance, _look in writes]
