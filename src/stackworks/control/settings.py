"""The server's settings: where it keeps data, how agents reach it, its timings."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from stackworks.domain.entities import Stack


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    server_url: str  # how agents on local instances reach this server
    database_url: str
    #: seconds between agent heartbeats, unless the stack sets its own
    #: (STACKWORKS_HEARTBEAT_INTERVAL)
    heartbeat_interval: float = field(
        default_factory=lambda: _env_float("STACKWORKS_HEARTBEAT_INTERVAL", 5.0)
    )
    #: seconds without a heartbeat before an online instance is connection_lost, unless the
    #: stack sets its own (STACKWORKS_HEARTBEAT_TIMEOUT). 5 s beats and 15 s of silence detect a
    #: dead instance within 15 s (OpsWorks took about 5 minutes, Kubernetes 40 s).
    heartbeat_timeout: float = field(
        default_factory=lambda: _env_float("STACKWORKS_HEARTBEAT_TIMEOUT", 15.0)
    )
    #: heartbeats a second this server asks of all its agents at most: a larger fleet's
    #: intervals and time-outs are stretched to fit (domain/heartbeat_pacing.py); 0: no cap
    #: (STACKWORKS_MAX_HEARTBEATS_PER_SECOND)
    max_heartbeats_per_second: float = field(
        default_factory=lambda: _env_float("STACKWORKS_MAX_HEARTBEATS_PER_SECOND", 100.0)
    )
    #: seconds a started instance may take to send its first heartbeat
    boot_timeout: float = field(default_factory=lambda: _env_float("STACKWORKS_BOOT_TIMEOUT", 300))
    #: seconds an agent's long-poll is held at most
    poll_wait: float = 20.0
    #: seconds between orchestrator passes
    tick: float = 0.25
    #: default time a command may run on an instance
    command_timeout: int = 3600
    #: the CA file agents of local instances verify the server with, when it serves HTTPS
    #: (`stackworks server --tls-cert`); None: the system's trust store
    agent_ca_file: Path | None = None
    #: this server's name among replicas (`--replica-name`; default HOSTNAME:PORT), shown by
    #: GET /health and kept in the leadership row while it leads
    replica: str = "server"

    def heartbeat_for(self, stack: Stack) -> Heartbeat:
        """The heartbeat interval and time-out in force for `stack`."""
        return self.heartbeat_from(stack.heartbeat_interval, stack.heartbeat_timeout)

    def heartbeat_from(self, interval: float | None, timeout: float | None) -> Heartbeat:
        """The heartbeat in force for a stack whose own settings are these (None: the
        server's)."""
        return Heartbeat(
            interval=interval or self.heartbeat_interval,
            timeout=timeout or self.heartbeat_timeout,
        )


@dataclass(frozen=True)
class Heartbeat:
    """How often a stack's agents beat, and how long a silence means the instance is lost."""

    interval: float
    timeout: float
