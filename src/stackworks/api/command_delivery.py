"""Commands as an agent's long-poll gets them: one for a poll, or many at once for the hub.

A command is delivered in the agent's wire form (`AgentCommand`), shaped by what its poll asked
for (`PollAsks`): its configuration's shared sections by version or inline, the delta from the
version the agent holds, and the delivery taken as the ack. `deliver_one` serves a poll that
looks for itself; `deliver_many` serves the polls the hub (api/poll_hub.py) finds a command for,
a configure fan-out's thousand of them in a few queries instead of a few each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from stackworks.api.configuration_deltas import ConfigurationDeltas, Loader
from stackworks.control import agents
from stackworks.domain.entities import Instance
from stackworks.domain.errors import NotFound
from stackworks.domain.shared_configuration import JSON
from stackworks.store import commands as command_store
from stackworks.store import stack_configurations
from stackworks.store.tables import CommandRow
from stackworks.wire import schemas

#: deltas between versions, keyed by stack and both digests (so shared by every app safely)
_deltas = ConfigurationDeltas()


@dataclass(frozen=True)
class PollAsks:
    """What an agent's poll asked for besides waiting (`GET /agent/commands`)."""

    by_version: bool = False  # the shared sections by version, not inline
    have: str | None = None  # the version it holds
    ack_on_delivery: bool = False  # take the delivery as its ack


def deliver_one(
    session: Session, instance: Instance, asks: PollAsks
) -> schemas.AgentCommand | None:
    """The instance's next command as its agent gets it (marked sent), or None."""
    row = agents.next_command(session, instance, acknowledge=asks.ack_on_delivery)
    return None if row is None else _as_sent(session, instance, row, asks)


def deliver_many(session: Session, asks: Mapping[str, PollAsks]) -> dict[str, schemas.AgentCommand]:
    """`deliver_one` for each instance id in `asks`, with its own poll's asks: the instances
    with a command to deliver, by id, to the command."""
    acknowledged = {instance_id for instance_id, a in asks.items() if a.ack_on_delivery}
    found = agents.next_commands(session, asks.keys(), acknowledged=acknowledged)
    return {
        instance_id: _as_sent(session, instance, row, asks[instance_id])
        for instance_id, (instance, row) in found.items()
    }


def _as_sent(
    session: Session, instance: Instance, row: CommandRow, asks: PollAsks
) -> schemas.AgentCommand:
    """The wire form, with the delta from the version the agent holds (`have`) when there is
    one worth sending."""
    version = row.configuration_version if asks.by_version else None
    delta = None
    have = asks.have
    if version is not None and have is not None and have != version:
        delta = _deltas.get(
            instance.stack_id, have, version, _loader(session, instance, have, version)
        )
    return schemas.AgentCommand(
        id=row.id,
        type=row.type,
        deployment_id=row.deployment_id,
        run_list=list(row.run_list),
        configuration=command_store.configuration_for_agent(
            session, row, with_shared=not asks.by_version
        ),
        stack_configuration=version,
        stack_configuration_delta=delta,
        acknowledged=asks.ack_on_delivery,
        timeout=float(row.timeout),
    )


def _loader(session: Session, instance: Instance, base: str, target: str) -> Loader:
    """Loads both versions if both are the instance's stack's: an agent naming another stack's
    version as `have` gets no delta, so learns nothing of it."""

    def load() -> tuple[JSON, JSON] | None:
        try:
            return (
                stack_configurations.get(session, instance.stack_id, base),
                stack_configurations.get(session, instance.stack_id, target),
            )
        except NotFound:
            return None

    return load
