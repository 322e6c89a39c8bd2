"""Request dependencies, declared once: the database, settings, the agents' wake-up signal.

Who may call a route is declared with one of `api/access.py`'s declarations, not here.

They are `async def` on purpose: FastAPI runs a plain `def` dependency in its thread pool, a
hop through a worker thread (and a wait behind every busy one) just to read `app.state`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from stackworks.control.heartbeat_pacer import HeartbeatPacer
from stackworks.control.settings import Settings
from stackworks.control.signals import CommandSignal
from stackworks.domain.entities import Stack
from stackworks.store import stacks as stack_store
from stackworks.store.db import Database


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_pacer(request: Request) -> HeartbeatPacer:
    pacer: HeartbeatPacer = request.app.state.pacer
    return pacer


async def get_signal(request: Request) -> CommandSignal:
    signal: CommandSignal = request.app.state.signal
    return signal


DatabaseDep = Annotated[Database, Depends(get_db)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SignalDep = Annotated[CommandSignal, Depends(get_signal)]
PacerDep = Annotated[HeartbeatPacer, Depends(get_pacer)]


def stack_named(session: Session, name: str) -> Stack:
    return stack_store.get_by_name(session, name)
