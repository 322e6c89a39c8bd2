"""The server's settings: where it keeps data, how agents reach it, its timings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    server_url: str  # how agents on local instances reach this server
    database_url: str
    #: seconds between agent heartbeats (STACKWORKS_HEARTBEAT_INTERVAL)
    heartbeat_interval: float = field(
        default_factory=lambda: _env_float("STACKWORKS_HEARTBEAT_INTERVAL", 15.0)
    )
    #: heartbeats missed before an online instance is connection_lost
    missed_heartbeats: int = 3
    #: seconds a started instance may take to send its first heartbeat
    boot_timeout: float = field(default_factory=lambda: _env_float("STACKWORKS_BOOT_TIMEOUT", 300))
    #: seconds an agent's long-poll is held at most
    poll_wait: float = 20.0
    #: seconds between orchestrator passes
    tick: float = 0.25
    #: default time a command may run on an instance
    command_timeout: int = 3600

    @property
    def heartbeat_grace(self) -> float:
        return self.heartbeat_interval * self.missed_heartbeats + 5.0
