"""What GET /health and GET /healthz answer: shared by the API and the CLI."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class Health(BaseModel):
    status: str
    version: str
    #: the name of the replica that answered (`stackworks server --replica-name`)
    replica: str
    #: whether the replica that answered runs the orchestrator
    leading: bool
    #: the replica that leads, as the database says (None before anyone led)
    leader: str | None
    #: grows by one at every takeover
    epoch: int
    #: when the answering replica finished its first orchestrator pass as leader (None: it
    #: follows)
    orchestrating_since: datetime | None


class Readiness(BaseModel):
    status: str
